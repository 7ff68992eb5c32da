import Foundation
import Vapor

/// Our stylesheet, compiled into the binary so Assure serves everything itself (no CDN, no files to
/// lose). Its address carries a content fingerprint, so browsers may cache it for a year.
enum AssureStylesheet {
    static let bytes: [UInt8] = PackageResources.assure_css

    static let fingerprint: String = {
        SHA256.hash(data: bytes).prefix(6).map { String(format: "%02x", $0) }.joined()
    }()

    static func response() -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=31536000, immutable")
        return Response(status: .ok, headers: headers, body: .init(data: Data(bytes)))
    }
}
