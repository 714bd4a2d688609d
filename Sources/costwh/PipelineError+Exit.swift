import ArgumentParser
import CostwhPipeline
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension PipelineError {
    /// Prints the error, with the flag that changes it where there is one, and returns the
    /// exit code its kind calls for (thrown, so ArgumentParser exits with it).
    func reported() -> ExitCode {
        Terminal.endProgress()
        var message = description
        if case .load(.tooManyRejected) = self { message += ", or raise --max-rejected" }
        Terminal.error(message)
        switch kind {
        case .usage: return ExitCode(ExitCodes.usage)
        case .badData: return ExitCode(ExitCodes.dataError)
        case .noInput: return ExitCode(ExitCodes.noInput)
        case .busy: return ExitCode(ExitCodes.busy)
        case .permission: return ExitCode(ExitCodes.permission)
        case .interrupted: return ExitCode(ExitCodes.interrupted)
        case .failure: return ExitCode(ExitCodes.failure)
        case .storeUnreachable: return ExitCode(ExitCodes.storeUnreachable)
        case .storeAuthentication: return ExitCode(ExitCodes.storeAuthentication)
        case .storeConnectionLost: return ExitCode(ExitCodes.storeConnectionLost)
        }
    }
}
