import CostwhPipeline
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension PipelineError {
    /// Prints the error and exits with the code its kind calls for.
    func exit() -> Never {
        Terminal.endProgress()
        Terminal.error(description)
        if isUsage { Foundation.exit(ExitCodes.usage) }
        if isBusy { Foundation.exit(ExitCodes.busy) }
        if isInterrupted { Foundation.exit(ExitCodes.interrupted) }
        Foundation.exit(ExitCodes.failure)
    }
}
