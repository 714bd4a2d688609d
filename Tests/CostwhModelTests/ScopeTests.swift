import Foundation
import Testing

@testable import CostwhModel

@Suite struct ScopeTests {
    @Test(arguments: [
        (
            "/providers/Microsoft.Billing/billingAccounts/8611537",
            "/providers/Microsoft.Billing/billingAccounts/8611537", Scope.Kind.billingAccount
        ),
        (
            "providers/Microsoft.Billing/billingAccounts/8611537",
            "/providers/Microsoft.Billing/billingAccounts/8611537", .billingAccount
        ),
        (
            "/PROVIDERS/microsoft.billing/BILLINGACCOUNTS/8611537/",
            "/providers/Microsoft.Billing/billingAccounts/8611537", .billingAccount
        ),
        (
            "/providers/Microsoft.Billing/billingAccounts/100/departments/12",
            "/providers/Microsoft.Billing/billingAccounts/100/departments/12", .department
        ),
        ("/providers/Microsoft.Billing/departments/12", "/providers/Microsoft.Billing/departments/12", .department),
        (
            "/providers/Microsoft.Billing/billingAccounts/100/enrollmentAccounts/456",
            "/providers/Microsoft.Billing/billingAccounts/100/enrollmentAccounts/456", .enrollmentAccount
        ),
        (
            "/providers/Microsoft.Billing/enrollmentAccounts/456",
            "/providers/Microsoft.Billing/enrollmentAccounts/456", .enrollmentAccount
        ),
        (
            "providers/Microsoft.Billing/billingAccounts/12345:6789/billingProfiles/13579",
            "/providers/Microsoft.Billing/billingAccounts/12345:6789/billingProfiles/13579", .billingProfile
        ),
        (
            "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34/invoiceSections/XYZ-1",
            "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34/invoiceSections/XYZ-1",
            .invoiceSection
        ),
        (
            "providers/Microsoft.Billing/billingAccounts/12345:6789/customers/13579",
            "/providers/Microsoft.Billing/billingAccounts/12345:6789/customers/13579", .customer
        ),
        (
            "/subscriptions/00000000-0000-0000-0000-000000000000",
            "/subscriptions/00000000-0000-0000-0000-000000000000", .subscription
        ),
        (
            "subscriptions/1CAAA5A3-2B66-438E-8AB4-BCE37D518C5D/",
            "/subscriptions/1caaa5a3-2b66-438e-8ab4-bce37d518c5d", .subscription
        ),
    ])
    func canonicalises(input: String, canonical: String, kind: Scope.Kind) throws {
        let scope = try Scope(parsing: input)
        #expect(scope.id == canonical)
        #expect(scope.kind == kind)
        // The canonical form parses to itself.
        #expect(try Scope(parsing: scope.id) == scope)
    }

    @Test func sameScopeWrittenTwoWaysIsOneScope() throws {
        let a = try Scope(parsing: "providers/Microsoft.Billing/billingAccounts/8611537")
        let b = try Scope(parsing: "/providers/microsoft.billing/billingaccounts/8611537/")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
    }

    @Test func agreementFollowsTheAccountId() throws {
        #expect(try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/8611537").agreement == .enterprise)
        #expect(
            try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/1234:5678/billingProfiles/X").agreement
                == .customerAgreement)
        #expect(try Scope(parsing: "/subscriptions/00000000-0000-0000-0000-000000000000").agreement == .unknown)
    }

    @Test(arguments: [
        "",
        "/",
        "/subscriptions/not-a-guid",
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg",
        "/providers/Microsoft.Management/managementGroups/mg",
        "/providers/Microsoft.Billing/billingAccounts",
        "/providers/Microsoft.Billing/billingAccounts/../../etc",
        "/providers/Microsoft.Billing/billingAccounts/1?api-version=x",
        "/providers/Microsoft.Billing/billingAccounts/1%2F2",
        "/providers/Microsoft.Billing/billingAccounts/1//departments/2",
        "/providers/Microsoft.Billing/invoiceSections/1",
        "/providers/Microsoft.Billing/billingAccounts/1/resourceGroups/2",
        "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000",
    ])
    func refuses(input: String) {
        #expect(throws: ScopeError.self) { try Scope(parsing: input) }
    }

    @Test func errorsSayWhy() {
        do {
            _ = try Scope(parsing: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("resource group"))
        }
    }
}

@Suite struct PeriodTests {
    @Test(arguments: [("2024-03", 2024, 3), ("202403", 2024, 3), (" 2023-12 ", 2023, 12)])
    func parses(text: String, year: Int, month: Int) throws {
        let p = try BillingPeriod(parsing: text)
        #expect(p.year == year && p.month == month)
        #expect(p.description == String(format: "%04d-%02d", year, month))
    }

    @Test(arguments: ["2024-13", "2024-00", "24-03", "2024/03", "abcd-ef", "", "2024-3"])
    func refuses(text: String) {
        #expect(throws: BillingPeriodError.self) { try BillingPeriod(parsing: text) }
    }

    @Test func rangesAndDays() throws {
        let from = try BillingPeriod(parsing: "2023-11")
        let to = try BillingPeriod(parsing: "2024-02")
        #expect(
            BillingPeriod.range(from: from, to: to).map(\.description) == ["2023-11", "2023-12", "2024-01", "2024-02"])
        #expect(to.daysInMonth == 29)
        #expect(from.compact == "202311")
        #expect(BillingPeriod.range(from: to, to: from).isEmpty)
    }

    @Test(arguments: [
        ("actual", Metric.actualCost), ("AmortizedCost", .amortizedCost), ("amortized", .amortizedCost),
        ("ACTUALCOST", .actualCost),
    ])
    func metrics(text: String, metric: Metric) throws {
        #expect(try Metric(parsing: text) == metric)
    }

    @Test func badMetric() {
        #expect(throws: MetricError.self) { try Metric(parsing: "usage") }
    }
}
