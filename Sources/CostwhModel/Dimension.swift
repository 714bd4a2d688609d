/// The dimension tables behind the `cost_details` view.
package enum Dimension: String, Sendable, CaseIterable, Hashable {
    case account
    case resource
    case product
    case tags
    case info
    case extra

    package var table: String { "dim_\(rawValue)" }
    package var keyColumn: String {
        switch self {
        case .account: return "AccountKey"
        case .resource: return "ResourceKey"
        case .product: return "ProductKey"
        case .tags: return "TagsKey"
        case .info: return "InfoKey"
        case .extra: return "ExtraKey"
        }
    }
}
