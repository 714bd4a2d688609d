import CostwhModel

/// The dimensions a fact row points at, in the order their hashes and keys travel through a
/// batch: the parser hashes them in this order, the batch stores them in this order, and the
/// fact sink resolves and binds them in this order. Named once so no index is paired by hand.
package enum HashedDimension: Int, CaseIterable, Sendable {
    case account, resource, product, tags, info, extra

    package var dimension: Dimension {
        switch self {
        case .account: return .account
        case .resource: return .resource
        case .product: return .product
        case .tags: return .tags
        case .info: return .info
        case .extra: return .extra
        }
    }

    /// The dimensions whose values are catalog columns (the extra JSON is not one).
    package static let catalogued: [HashedDimension] = [.account, .resource, .product, .tags, .info]

    /// The contiguous run of catalog columns the dimension stores.
    package var columns: (first: Int, count: Int) {
        let indices = Catalog.columns(in: dimension)
        precondition(
            !indices.isEmpty && indices == Array(indices.first!...indices.last!), "dimension columns must be contiguous"
        )
        return (indices.first!, indices.count)
    }

    /// `catalogued`'s column runs, computed once (the parser and the fact sink use them per row).
    package static let cataloguedRuns = catalogued.map(\.columns)
}
