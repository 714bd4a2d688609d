import CostwhExtract
import Foundation

/// How costwh reaches Azure: endpoints, api-version, sign-in and patience.
package struct ExtractSettings: Sendable {
    package var armEndpoint: String
    package var apiVersion: String
    /// An explicit token (from `--access-token-file`); otherwise the credential chain decides.
    package var accessToken: String?
    package var environment: [String: String]
    package var retryPolicy: RetryPolicy
    package var defaultPollInterval: Double
    package var pollDeadline: Double
    /// The EA Reporting API host (retired by Microsoft; archives and replicas).
    package var eaEndpoint: String
    package var eaApiKey: String?
    /// Read the EA Reporting v2 JSON pages instead of the v3 CSV download.
    /// Which EA Reporting usage-details version to call.
    package var eaFormat = EAReportingFormat.v3
    /// The usageDetails api-version (2018-06-30, 2019-10-01, 2021-10-01 or 2023-05-01).
    package var usageDetailsAPIVersion = UsageDetailsClient.defaultVersion
    /// Ask usageDetails through the EA billing-period sub-path instead of a date filter.
    package var usageDetailsByBillingPeriod = false
    /// generateDetailedCostReport's `customerId` (MCA partners).
    package var customerId: String?
    /// Parse Cost Details blobs while they download (`--no-stream` turns it off: the report is
    /// downloaded whole, hashed, and loaded only when it changed).
    package var streamDownloads = true
    /// Partitions extracted at a time (`--parallel`); nil leaves it to the configuration file.
    package var parallel: Int?
    /// The configuration's named credentials, and which scope (by id) uses which. A scope
    /// without one signs in through the environment's chain, as before credentials existed.
    package var credentials: [String: CredentialSpec] = [:]
    package var scopeCredentials: [String: String] = [:]

    package init(
        armEndpoint: String? = nil, apiVersion: String? = nil, accessToken: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, retryPolicy: RetryPolicy = .default,
        defaultPollInterval: Double = 10, pollDeadline: Double = 3600, eaEndpoint: String? = nil,
        eaApiKey: String? = nil
    ) {
        self.environment = environment
        self.armEndpoint =
            armEndpoint ?? environment["COSTWH_ARM_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ARMClient.defaultEndpoint
        self.apiVersion = apiVersion ?? CostDetailsRequest.defaultAPIVersion
        self.accessToken = accessToken
        self.retryPolicy = retryPolicy
        self.defaultPollInterval = defaultPollInterval
        self.pollDeadline = pollDeadline
        self.eaEndpoint =
            eaEndpoint ?? environment["COSTWH_EA_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "https://consumption.azure.com"
        self.eaApiKey = eaApiKey ?? environment["COSTWH_EA_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads a secret from a file, trimming the newline editors add.
    package static func readSecret(file: String, what: String) throws(PipelineError) -> String {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw .usage("cannot read the \(what) file \(file)")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw .usage("the \(what) file \(file) is empty") }
        return secret
    }
}
