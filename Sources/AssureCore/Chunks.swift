extension Array {
    /// The array in consecutive pieces of at most `size` elements, for statements that bind a
    /// bounded number of values or transactions that stay short.
    public func chunks(of size: Int) -> [[Element]] {
        precondition(size > 0, "a chunk holds at least one element")
        return stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
