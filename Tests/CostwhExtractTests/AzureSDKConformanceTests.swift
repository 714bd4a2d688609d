import CostwhTestSupport
import Foundation
import Testing

/// Microsoft's own Python SDKs (azure-identity, azure-mgmt-costmanagement 5.0.0,
/// azure-mgmt-consumption 11.0.0) as clients of `costwh emulate`, over HTTPS with a throwaway
/// certificate, without faults and with throttling, slow polls and several gzip blobs:
/// every operation costwh uses completes, deserializes into the SDK's models with no unknown
/// field and no missing required one, and a Cost Details report holds exactly the rows and
/// cost costwh loads (scripts/azure-sdk-conformance.py; docs/AZURE-CONTRACT.md).
@Suite(.enabled(if: TestPython.available, .init(rawValue: TestPython.skipMessage)))
struct AzureSDKConformanceTests {
    @Test func microsoftsSDKsAgreeWithTheEmulator() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let run = try TestPython.run(script: "azure-sdk-conformance.py", [costwhExecutable()])
        #expect(run.status == 0, "\(run.output)")
        let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasSuffix(" passed, 0 failed") && !last.hasPrefix("0 passed"), "\(last)")
    }
}
