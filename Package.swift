// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Assure",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "assure", targets: ["assure"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"5.0.0"),
        .package(url: "https://github.com/vapor/jwt.git", from: "5.2.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // Pure domain rules: no Vapor, no database, no I/O.
        .target(name: "AssureCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
                exclude: ["Resources/common-passwords.LICENSE", "Resources/common-passwords.README.md"],
                resources: [.embedInCode("Resources/common-passwords.txt")]),
        // Fictional organisations, risks and estates for demonstrations, benchmarks and tests; never real data.
        .target(name: "AssureDemo", dependencies: ["AssureCore"]),
        .target(
            name: "AssureApp",
            dependencies: [
                "AssureCore",
                "AssureDemo",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "JWT", package: "jwt"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [
                .embedInCode("Resources/assure.css"),
                .embedInCode("Resources/frameworks/ncsc-caf-3.2.yaml"),
                .embedInCode("Resources/frameworks/ncsc-caf-4.0.yaml"),
                .embedInCode("Resources/frameworks/cyber-essentials.yaml"),
                .embedInCode("Resources/frameworks/dtac.yaml"),
                .embedInCode("Resources/frameworks/nhs-service-standard.yaml"),
                .embedInCode("Resources/frameworks/dspt-caf-2024-25.yaml"),
                .embedInCode("Resources/frameworks/dspt-ndg.yaml"),
                .embedInCode("Resources/frameworks/dcb0129.yaml"),
                .embedInCode("Resources/frameworks/dcb0160.yaml"),
                .embedInCode("Resources/mappings/ncsc-caf-3.2-to-4.0.yaml"),
                .embedInCode("Resources/mappings/dspt-caf-to-ncsc-caf-3.2.yaml"),
                .embedInCode("Resources/mappings/ncsc-caf-3.2-to-cyber-essentials.yaml"),
                .embedInCode("Resources/mappings/dspt-ndg-to-dspt-caf.yaml"),
                .copy("Resources/knowledge"),
            ]
        ),
        .executableTarget(name: "assure", dependencies: ["AssureApp"]),
        .executableTarget(
            name: "AssureBenchmarks",
            dependencies: ["AssureApp", "AssureCore", "AssureDemo", .product(name: "SQLKit", package: "sql-kit")],
            path: "Benchmarks/AssureBenchmarks"
        ),
        // libxml2's HTML parser (Debian's libxml2-dev), so tests read pages as a parsed DOM.
        .systemLibrary(name: "CLibXML2", path: "Tests/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .testTarget(name: "AssureCoreTests", dependencies: ["AssureCore", "AssureDemo"],
                    resources: [.copy("Resources/nvd2-config-samples.json")]),
        .testTarget(
            name: "AssureAppTests",
            dependencies: [
                "AssureApp",
                "AssureDemo",
                "CLibXML2",
                .product(name: "XCTVapor", package: "vapor"),
                .product(name: "JWT", package: "jwt"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
