import CostwhModel

/// A fictitious but realistic cloud estate: subscriptions, resources, meters and
/// commitments. Everything is derived from the scope, so a scope always has the same estate.
package struct SyntheticEstate: Sendable {
    package struct Meter: Sendable {
        let id: String
        let name: String
        let category: String
        let subCategory: String
        let region: String
        let family: String
        let product: String
        let partNumber: String
        let unit: String
        let unitPrice: Double
        let consumedService: String
        let resourceType: String
    }

    package struct Subscription: Sendable {
        let id: String
        let name: String
        let accountName: String
        let accountOwner: String
        let costCenter: String
        let invoiceSectionId: String
        let invoiceSectionName: String
    }

    package struct Resource: Sendable {
        let subscription: Int
        let group: String
        let name: String
        let id: String
        let location: String
        let meter: Int
        let tags: String
        let additionalInfo: String
        let zone: String
    }

    package struct Commitment: Sendable {
        enum Kind: Sendable { case reservation, savingsPlan }
        /// How a commitment is paid for: all at once for its term, or a part every month.
        /// Upfront ones make actual and amortized differ: actual carries the purchase in one
        /// month, amortized spreads it over every month of the term.
        enum Billing: Sendable { case upfront, monthly }
        let kind: Kind
        let orderId: String
        let id: String
        let name: String
        let orderName: String
        let benefitId: String
        /// The term in months, as cost files spell it: "12" or "36".
        let term: String
        let billing: Billing
        /// For upfront commitments: the month (counted from year 0) modulo the term in which
        /// it is bought, and bought again when the term ends.
        let purchaseMonth: Int
        /// What the commitment costs per day, in the billing currency.
        let dailyAmount: Double

        var termMonths: Int { Int(term) ?? 12 }

        /// Whether an upfront commitment is bought (or renewed) in `period`.
        func isBought(in period: BillingPeriod) -> Bool {
            billing == .upfront && (period.monthNumber - purchaseMonth) % termMonths == 0
        }
    }

    /// The commitment that has a refund (a cancelled part, credited back) once a quarter.
    package static let refundedCommitment = 1

    package let scope: Scope
    package let billingAccountId: String
    package let billingAccountName: String
    package let billingProfileId: String
    package let billingProfileName: String
    package let currency: String
    package let subscriptions: [Subscription]
    package let meters: [Meter]
    package let resources: [Resource]
    package let commitments: [Commitment]

    static let locations = [
        ("eastus", "US East", "East US"), ("westeurope", "EU West", "West Europe"), ("uksouth", "UK South", "UK South"),
        ("eastus2", "US East 2", "East US 2"), ("northeurope", "EU North", "North Europe"),
        ("japaneast", "JA East", "Japan East"),
    ]

    static let meterTemplates: [(String, String, String, String, String, String, Double, String, String)] = [
        // name, category, subcategory, family, unit, consumed service, price, resource type, product stem
        (
            "D2s v3", "Virtual Machines", "Dv3/DSv3 Series", "Compute", "1 Hour", "Microsoft.Compute", 0.096,
            "virtualMachines", "Virtual Machines DSv3 Series"
        ),
        (
            "D4s v5", "Virtual Machines", "Dsv5 Series", "Compute", "1 Hour", "Microsoft.Compute", 0.192,
            "virtualMachines", "Virtual Machines Dsv5 Series"
        ),
        (
            "E8s v5", "Virtual Machines", "Esv5 Series", "Compute", "1 Hour", "Microsoft.Compute", 0.504,
            "virtualMachines", "Virtual Machines Esv5 Series"
        ),
        (
            "B1s", "Virtual Machines", "BS Series", "Compute", "1 Hour", "Microsoft.Compute", 0.0104, "virtualMachines",
            "Virtual Machines BS Series"
        ),
        (
            "P10 LRS Disk", "Storage", "Premium SSD Managed Disks", "Storage", "1/Month", "Microsoft.Compute", 19.71,
            "disks", "Premium SSD Managed Disks"
        ),
        (
            "Hot LRS Data Stored", "Storage", "Blob Storage", "Storage", "1 GB/Month", "Microsoft.Storage", 0.0184,
            "storageAccounts", "Blob Storage"
        ),
        (
            "Read Operations", "Storage", "Tables", "Storage", "10K", "Microsoft.Storage", 0.0036, "storageAccounts",
            "Tables"
        ),
        (
            "Data Transfer Out", "Bandwidth", "Inter-Region", "Networking", "1 GB", "Microsoft.Network", 0.02,
            "publicIPAddresses", "Bandwidth Inter-Region"
        ),
        (
            "Standard IPv4 Static Public IP", "Virtual Network", "IP Addresses", "Networking", "1 Hour",
            "Microsoft.Network", 0.005, "publicIPAddresses", "IP Addresses"
        ),
        (
            "vCore", "SQL Database", "General Purpose - Compute Gen5", "Databases", "1 Hour", "Microsoft.Sql", 0.2522,
            "servers", "SQL Database Single/Elastic Pool General Purpose"
        ),
        (
            "Standard Node", "Azure Kubernetes Service", "Standard", "Compute", "1 Hour", "Microsoft.ContainerService",
            0.1, "managedClusters", "Azure Kubernetes Service"
        ),
        (
            "Ingestion", "Log Analytics", "Pay-as-you-go", "Management and Governance", "1 GB",
            "Microsoft.OperationalInsights", 2.3, "workspaces", "Log Analytics"
        ),
        (
            "Premium Functions", "Functions", "Premium", "Compute", "1 Hour", "Microsoft.Web", 0.173, "sites",
            "Functions Premium"
        ),
        (
            "Standard Gateway", "Application Gateway", "Standard v2", "Networking", "1 Hour", "Microsoft.Network",
            0.246, "applicationGateways", "Application Gateway Standard v2"
        ),
    ]

    /// Builds the estate of a scope. `scale` sets how many resources there are.
    package init(scope: Scope, resources resourceCount: Int = 2_000) {
        self.scope = scope
        var rng = SplitMix64(seed: SplitMix64.seed("estate:" + scope.id))
        let mca = scope.agreement == .customerAgreement
        billingAccountId = scope.value(of: "billingAccounts") ?? String(8_000_000 + rng.int(999_999))
        billingAccountName = mca ? "Contoso Holdings" : "Contoso Enterprise Enrollment"
        billingProfileId = scope.value(of: "billingProfiles") ?? (mca ? "AB12-CD34-BG7-TGB" : billingAccountId)
        billingProfileName = mca ? "Contoso Billing Profile" : billingAccountName
        currency = mca ? "EUR" : "USD"

        let departments = ["Engineering", "Finance", "Marketing", "Research", "Operations"]
        var subscriptions: [Subscription] = []
        for i in 0..<12 {
            let department = departments[i % departments.count]
            subscriptions.append(
                Subscription(
                    id: scope.kind == .subscription && i == 0 ? scope.value(of: "subscriptions")! : rng.guid(),
                    name: "\(department)-\(["prod", "dev", "test", "shared"][i % 4])-\(i)",
                    accountName: "\(department) Account", accountOwner: "\(department.lowercased())-owner@contoso.com",
                    costCenter: String(1000 + (i % departments.count) * 111),
                    invoiceSectionId: mca
                        ? "\(["ISX1", "ISX2", "ISX3"][i % 3])-\(rng.int(9999))" : String(100 + i % departments.count),
                    invoiceSectionName: department))
        }
        if scope.kind == .subscription { subscriptions = [subscriptions[0]] }
        self.subscriptions = subscriptions

        var meters: [Meter] = []
        for (i, t) in SyntheticEstate.meterTemplates.enumerated() {
            for (j, location) in SyntheticEstate.locations.enumerated() {
                meters.append(
                    Meter(
                        id: rng.guid(), name: t.0, category: t.1, subCategory: t.2, region: location.1, family: t.3,
                        product: "\(t.8) - \(t.0) - \(location.2)", partNumber: "AAA-\(10_000 + i * 100 + j)",
                        unit: t.4,
                        unitPrice: t.6 * (1 + Double(j) * 0.03), consumedService: t.5, resourceType: t.7))
            }
        }
        self.meters = meters

        var resources: [Resource] = []
        let apps = ["billing", "checkout", "search", "catalog", "analytics", "identity", "payments", "reporting"]
        let envs = ["prod", "dev", "test", "staging"]
        for i in 0..<resourceCount {
            let sub = rng.int(subscriptions.count)
            let meterIndex = rng.int(meters.count)
            let meter = meters[meterIndex]
            let app = apps[rng.int(apps.count)]
            let env = envs[rng.int(envs.count)]
            let group = "rg-\(app)-\(env)-\(i % 40)"
            let name = "\(app)-\(meter.resourceType.prefix(4).lowercased())-\(i)"
            let provider = meter.consumedService
            let location = SyntheticEstate.locations.first { meter.region == $0.1 }!.0
            let id =
                "/subscriptions/\(subscriptions[sub].id)/resourceGroups/\(group)/providers/\(provider)/\(meter.resourceType)/\(name)"
            let tags =
                "\"CostCenter\": \"\(subscriptions[sub].costCenter)\",\"env\": \"\(env)\",\"app\": \"\(app)\",\"owner\": \"team-\(app)@contoso.com\""
            let info: String
            if meter.family == "Compute" {
                info =
                    "{\"UsageType\":\"ComputeHR\",\"ImageType\":\"Canonical\",\"ServiceType\":\"Standard_\(meter.name.replacingOccurrences(of: " ", with: "_"))\",\"VMName\":\"\(name)\",\"VMProperties\":\"Microsoft.Compute.Linux\",\"VCPUs\":\(2 << rng.int(3)),\"CPUs\":0}"
            } else if meter.family == "Storage" {
                info = "{\"StorageAccountType\":\"Standard_LRS\",\"DiskTier\":\"P10\",\"Redundancy\":\"LRS\"}"
            } else {
                info = ""
            }
            resources.append(
                Resource(
                    subscription: sub, group: group, name: name, id: id, location: location, meter: meterIndex,
                    tags: rng.int(10) == 0 ? "" : tags, additionalInfo: info,
                    zone: meter.family == "Compute" ? String(1 + rng.int(3)) : ""))
        }
        self.resources = resources

        // Reservations for VMs and savings plans for the rest of compute, bought the ways real
        // estates buy them: 1 and 3 years, upfront or billed monthly. The upfront 1-year ones
        // are bought a quarter apart, so any three months show one purchase month.
        let plans: [(Commitment.Kind, String, Commitment.Billing, Int)] = [
            (.reservation, "12", .upfront, 0), (.reservation, "36", .monthly, 0),
            (.reservation, "12", .upfront, 3), (.reservation, "36", .upfront, 5),
            (.savingsPlan, "12", .upfront, 6), (.savingsPlan, "36", .monthly, 0),
            (.savingsPlan, "12", .upfront, 9), (.savingsPlan, "36", .upfront, 11),
        ]
        var commitments: [Commitment] = []
        var ids: [(String, String)] = []
        for _ in plans { ids.append((rng.guid(), rng.guid())) }
        let anchor = rng.int(12)
        for (i, plan) in plans.enumerated() {
            let (order, id) = ids[i]
            let reservation = plan.0 == .reservation
            let years = plan.1 == "12" ? "1 Year" : "3 Years"
            commitments.append(
                Commitment(
                    kind: plan.0, orderId: order, id: id,
                    name: reservation ? "VM_RI_\(i)_\(order.prefix(8))" : "Compute_SP_\(i)",
                    orderName: reservation
                        ? "Reserved VM Instance, Standard_D2s_v3, East US, \(years)"
                        : "Compute savings plan, \(years)",
                    benefitId: reservation
                        ? "/providers/Microsoft.Capacity/reservationOrders/\(order)/reservations/\(id)"
                        : "/providers/Microsoft.BillingBenefits/savingsPlanOrders/\(order)/savingsPlans/\(id)",
                    term: plan.1, billing: plan.2, purchaseMonth: (anchor + plan.3) % (plan.1 == "12" ? 12 : 36),
                    dailyAmount: 0))
        }
        self.commitments = commitments
    }
}

extension SyntheticEstate {
    /// A meter's list (pay-as-you-go) price: the estate's negotiated `unitPrice` is 10.7 % below it.
    package static func listPrice(_ meter: Meter) -> Double { (meter.unitPrice * 1.12).rounded(toPlaces: 6) }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
