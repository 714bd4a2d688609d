import CostwhModel
import CostwhSynthetic

/// A FOCUS export of any synthetic month, as a Cost Management FocusCost export's blob:
/// `GET /focus-export?scope={scope}&period=YYYY-MM[&format=parquet]`. Exports land in a storage account, so
/// like the SAS blob links it takes no bearer token.
extension AzureEmulator {
    func focusExport(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("focus-export")
        guard let scopeText = request.query["scope"], let scope = try? Scope(parsing: scopeText) else {
            return .error(.badRequest, code: "BadRequest", message: "scope is missing or not a billing scope")
        }
        guard let period = request.query["period"].flatMap({ try? BillingPeriod(parsing: $0) }) else {
            return .error(.badRequest, code: "BadRequest", message: "period must be YYYY-MM")
        }
        let body = FocusWriter(month: month(scope, period)).bytes()
        // `format=parquet`: the export as Cost Management writes it in Parquet (Snappy).
        if request.query["format"] == "parquet" {
            return EmulatorResponse(
                status: .ok, headers: ["Content-Type": "application/octet-stream"], body: ParquetBlobs.convert(body))
        }
        return EmulatorResponse(status: .ok, headers: ["Content-Type": "text/csv"], body: body)
    }
}
