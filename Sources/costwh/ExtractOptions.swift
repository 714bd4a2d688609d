import ArgumentParser
import CostwhExtract
import CostwhPipeline
import Foundation

/// Options of the commands that call Azure.
struct ExtractOptions: ParsableArguments {
    @Option(help: "Resource Manager endpoint (default: $COSTWH_ARM_ENDPOINT, else https://management.azure.com).")
    var armEndpoint: String?

    @Option(help: "Cost Details api-version (default 2025-03-01).")
    var apiVersion: String?

    @Option(help: "A file holding a bearer token to use instead of signing in ($COSTWH_ACCESS_TOKEN works too).")
    var accessTokenFile: String?

    @Option(help: "EA Reporting API endpoint (default: $COSTWH_EA_ENDPOINT, else https://consumption.azure.com).")
    var eaEndpoint: String?

    @Option(help: "A file holding the EA Reporting API key ($COSTWH_EA_API_KEY works too).")
    var eaApiKeyFile: String?

    @Option(
        help:
            "EA Reporting version: v1 or v2 (JSON pages), v3 (the CSV download); json and csv are aliases of v2 and v3."
    )
    var eaFormat: String = "v3"

    @Option(help: "usageDetails api-version: 2018-06-30, 2019-10-01, 2021-10-01 or 2023-05-01.")
    var usageDetailsApiVersion: String = "2023-05-01"

    @Option(help: "generateDetailedCostReport customerId (MCA partners).")
    var customerId: String?

    @Flag(help: "usageDetails through the EA billing-period path (…/billingPeriods/YYYYMM/…) instead of a date filter.")
    var usageDetailsByBillingPeriod = false

    @Option(
        help: ArgumentHelp(
            "Partitions extracted at a time: one loads while the others wait for Azure or download (default 2).",
            valueName: "N"))
    var parallel: Int?

    @Flag(
        name: .customLong("stream"), inversion: .prefixedNo,
        help: "Parse Cost Details blobs while they download (--no-stream downloads them whole first).")
    var stream = true

    func validate() throws {
        if let parallel, !(1...16).contains(parallel) {
            throw ValidationError("--parallel takes a number from 1 to 16")
        }
    }

    func settings(
        armEndpoint configured: String? = nil, apiVersion configuredVersion: String? = nil
    ) throws(PipelineError) -> ExtractSettings {
        let token = try accessTokenFile.map { (file) throws(PipelineError) -> String in
            try ExtractSettings.readSecret(file: file, what: "access token")
        }
        let eaKey = try eaApiKeyFile.map { (file) throws(PipelineError) -> String in
            try ExtractSettings.readSecret(file: file, what: "EA API key")
        }
        for (file, what) in [(accessTokenFile, "the access token file"), (eaApiKeyFile, "the EA API key file")] {
            if let file, let exposed = FileExposure.warning(for: file, what: what) {
                Terminal.status("costwh: warning: \(exposed)")
            }
        }
        guard let format = EAReportingFormat(name: eaFormat) else {
            throw .usage("--ea-format must be v1, v2 or v3 (or json, csv)")
        }
        var settings = ExtractSettings(
            armEndpoint: armEndpoint ?? configured, apiVersion: apiVersion ?? configuredVersion, accessToken: token,
            eaEndpoint: eaEndpoint, eaApiKey: eaKey)
        settings.eaFormat = format
        settings.usageDetailsAPIVersion = usageDetailsApiVersion
        settings.customerId = customerId
        settings.usageDetailsByBillingPeriod = usageDetailsByBillingPeriod
        settings.parallel = parallel
        settings.streamDownloads = stream
        return settings
    }
}
