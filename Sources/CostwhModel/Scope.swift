/// A billing scope, validated and held in one canonical spelling.
///
/// Azure accepts a scope with or without the leading `/`, in any letter case for the
/// fixed segment names, and with a trailing `/`. Canonicalising keeps one partition key
/// per scope however the operator wrote it, and the strict id alphabet keeps a scope from
/// carrying path traversal or URL syntax into a request or a file name.
package struct Scope: Hashable, Sendable, CustomStringConvertible, Comparable {
    package enum Kind: String, Sendable, CaseIterable {
        case subscription
        case billingAccount
        case department
        case enrollmentAccount
        case billingProfile
        case invoiceSection
        case customer
    }

    /// The agreement family the scope belongs to, when the form of the scope tells it.
    package enum Agreement: String, Sendable {
        case enterprise = "EA"
        case customerAgreement = "MCA"
        case unknown
    }

    package let kind: Kind
    /// The canonical ARM id, always with a leading `/`.
    package let id: String
    /// The ids of each segment, for example `["billingAccounts": "1234:5678", "billingProfiles": "AB12"]`.
    package let segments: [(name: String, value: String)]

    package var description: String { id }

    package static func == (lhs: Scope, rhs: Scope) -> Bool { lhs.id == rhs.id }
    package func hash(into hasher: inout Hasher) { hasher.combine(id) }
    package static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.id < rhs.id }

    /// MCA billing account ids contain a `:`; EA enrollment numbers are plain digits.
    package var agreement: Agreement {
        guard let account = value(of: "billingAccounts") else {
            switch kind {
            case .department, .enrollmentAccount: return .enterprise
            default: return .unknown
            }
        }
        if account.contains(":") { return .customerAgreement }
        if account.allSatisfy(\.isNumber) { return .enterprise }
        return .unknown
    }

    package func value(of segment: String) -> String? {
        segments.first { $0.name == segment }?.value
    }

    static let billingSegments: [String] = [
        "billingAccounts", "departments", "enrollmentAccounts", "billingProfiles", "invoiceSections", "customers",
    ]

    package init(parsing text: String) throws(ScopeError) {
        var trimmed = Substring(text.trimmingWhitespace())
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty else { throw .empty }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: \.isEmpty) { throw .malformed(text, "it contains an empty path segment (`//`)") }

        func checkId(_ id: String, _ what: String) throws(ScopeError) {
            guard Scope.isValidId(id) else {
                throw .malformed(text, "the \(what) id `\(id)` may only hold letters, digits and `-_.:@`")
            }
        }

        if parts[0].lowercased() == "subscriptions" {
            guard parts.count == 2 else {
                if parts.count > 2, parts[2].lowercased() == "resourcegroups" {
                    throw .unsupported(
                        text, "resource group scopes are not supported by the Cost Details API; use the subscription")
                }
                throw .malformed(text, "expected `/subscriptions/{subscriptionId}`")
            }
            try checkId(parts[1], "subscription")
            guard Scope.isGUID(parts[1]) else {
                throw .malformed(text, "the subscription id `\(parts[1])` is not a GUID")
            }
            let guid = parts[1].lowercased()
            self.kind = .subscription
            self.segments = [("subscriptions", guid)]
            self.id = "/subscriptions/\(guid)"
            return
        }

        guard parts.count >= 4, parts[0].lowercased() == "providers", parts[1].lowercased() == "microsoft.billing"
        else {
            if parts[0].lowercased() == "providers", parts.count > 1, parts[1].lowercased() == "microsoft.management" {
                throw .unsupported(text, "management group scopes are not supported by the Cost Details API")
            }
            throw .malformed(
                text,
                "expected `/subscriptions/{id}` or `/providers/Microsoft.Billing/billingAccounts/{id}[/…]`")
        }
        guard parts.count % 2 == 0 else {
            throw .malformed(text, "a segment name is missing its id")
        }
        var segments: [(name: String, value: String)] = []
        var index = 2
        while index < parts.count {
            let name = parts[index].lowercased()
            guard let canonical = Scope.billingSegments.first(where: { $0.lowercased() == name }) else {
                throw .malformed(
                    text,
                    "unknown segment `\(parts[index])`; expected one of \(Scope.billingSegments.joined(separator: ", "))"
                )
            }
            try checkId(parts[index + 1], canonical)
            segments.append((canonical, parts[index + 1]))
            index += 2
        }
        let names = segments.map(\.name)
        let kind: Kind
        switch names {
        case ["billingAccounts"]: kind = .billingAccount
        case ["billingAccounts", "departments"], ["departments"]: kind = .department
        case ["billingAccounts", "enrollmentAccounts"], ["enrollmentAccounts"]: kind = .enrollmentAccount
        case ["billingAccounts", "billingProfiles"]: kind = .billingProfile
        case ["billingAccounts", "billingProfiles", "invoiceSections"]: kind = .invoiceSection
        case ["billingAccounts", "customers"], ["billingAccounts", "billingProfiles", "customers"]: kind = .customer
        default:
            throw .malformed(text, "the segments \(names.joined(separator: "/")) do not form a billing scope")
        }
        self.kind = kind
        self.segments = segments
        self.id = "/providers/Microsoft.Billing/" + segments.map { "\($0.name)/\($0.value)" }.joined(separator: "/")
    }

    static func isValidId(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 256, id != ".", id != ".." else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "@"):
                return true
            default: return false
            }
        }
    }

    static func isGUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if b != UInt8(ascii: "-") { return false }
            } else if !b.isHexDigit {
                return false
            }
        }
        return true
    }
}

package enum ScopeError: Error, Equatable, CustomStringConvertible {
    case empty
    case malformed(String, String)
    case unsupported(String, String)

    package var description: String {
        switch self {
        case .empty: return "scope is empty"
        case .malformed(let scope, let why): return "invalid scope `\(scope)`: \(why)"
        case .unsupported(let scope, let why): return "unsupported scope `\(scope)`: \(why)"
        }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
