import ArgumentParser
import CostwhExtract
import CostwhPipeline
import Foundation

extension SourceKind: ExpressibleByArgument {}
