/// How many risks sit in each cell of a matrix, for the heat map and its table alternative.
public struct RiskHeatMap: Equatable, Sendable {
    public let matrix: RiskMatrix
    public private(set) var current: [RiskRating: Int] = [:]
    public private(set) var target: [RiskRating: Int] = [:]

    public init(matrix: RiskMatrix) { self.matrix = matrix }

    public mutating func add(current rating: RiskRating, count: Int = 1) { current[rating, default: 0] += count }
    public mutating func add(target rating: RiskRating, count: Int = 1) { target[rating, default: 0] += count }

    public var total: Int { current.values.reduce(0, +) }

    /// Likelihood rows highest first (as printed), consequence columns lowest first.
    public var rows: [[RiskRating]] {
        matrix.likelihood.reversed().map { l in matrix.consequence.map { c in RiskRating(likelihood: l.score, consequence: c.score) } }
    }
}

/// Which way a risk's score moved since its last review.
public enum RiskMovement: String, Sendable {
    case up, down, same, new

    public static func between(previous: Int?, current: Int) -> RiskMovement {
        guard let previous else { return .new }
        return current > previous ? .up : current < previous ? .down : .same
    }

    public var symbol: String {
        switch self {
        case .up: "▲"
        case .down: "▼"
        case .same: "▬"
        case .new: "●"
        }
    }

    public var displayName: String {
        switch self {
        case .up: "Increased"
        case .down: "Reduced"
        case .same: "No change"
        case .new: "New since the last review"
        }
    }
}
