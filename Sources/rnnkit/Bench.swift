import ArgumentParser
import Foundation
import KerasFormat
import RecurrentLayers

/// `rnnkit bench FILE [--batch N --timesteps T]` or `rnnkit bench --cell KIND --units U ...`.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time forward passes of a model file or of one recurrent layer.",
        discussion: """
            Warm-up passes, then timed passes: median, fastest and slowest time per pass and GFLOP/s.
            Examples: rnnkit bench Examples/waveforms.keras --batch 64
                      rnnkit bench --cell lstm --units 128 --features 64 --timesteps 50 --batch 32
                      rnnkit bench --cell lstm --units 128 --features 64 --timesteps 100 --batch 1 --stream
            """
    )

    @Argument(help: "A model file (omit with --cell).")
    var file: String?

    @Option(help: "The model's JSON, for weights-only files.")
    var config: String?

    /// The layers `--cell` times.
    enum Cell: String, ExpressibleByArgument, CaseIterable {
        case simple, lstm, gru
    }

    @Option(help: "Benchmark one layer instead of a file.")
    var cell: Cell?

    @Option var units = 64
    @Option var features = 32
    @Option var timesteps: Int?
    @Option var batch: Int?
    @Option(help: "Timed passes.") var passes = 10
    @Option(help: "Untimed warm-up passes.") var warmup = 2
    @Flag(help: "With --cell: feed the timesteps one call at a time (RecurrentStream) and report time per step.")
    var stream = false
    @Flag(help: "Print JSON.") var json = false

    @OptionGroup(title: "Limits for reading untrusted files") var limits: Isolation.Options

    func validate() throws {
        guard (file == nil) != (cell == nil) else {
            throw ValidationError("Give a model file or --cell, not both and not neither.")
        }
        guard !stream || cell != nil else { throw ValidationError("--stream goes with --cell.") }
        guard passes > 0, warmup >= 0, units > 0, features > 0 else {
            throw ValidationError("Passes, units and features must be positive.")
        }
    }

    func run() throws {
        try Isolation.run(file: file ?? "--cell", limits: limits.limits(reading: [file, config])) { try bench() }
    }

    private func bench() throws {
        do {
            progress("benchmarking (\(warmup) warm-up, \(passes) timed passes)...")
            let result: TimingResult
            if let cell {
                Isolation.readingFinished()  // no file: the reading time limit has nothing to guard
                result = try Timing.layer(
                    kind: cell.rawValue, units: units, features: features, timesteps: timesteps ?? 50,
                    batch: batch ?? 32,
                    warmup: warmup, passes: passes, stream: stream)
            } else {
                let model = try KerasModel.load(path: file!, configPath: config)
                Isolation.readingFinished()
                result = try model.benchmark(
                    batch: batch, timesteps: timesteps, warmup: warmup, passes: passes)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                print(
                    "\(result.description): batch \(result.batch), timesteps \(result.timesteps), \(result.passes) passes"
                )
                print(
                    String(
                        format: "  median %.3f ms, min %.3f ms, max %.3f ms, %.2f GFLOP/s", result.median * 1e3,
                        result.minimum * 1e3, result.maximum * 1e3, result.gigaflopsPerSecond))
                if stream {
                    print(String(format: "  %.2f us per step", result.median / Double(max(result.timesteps, 1)) * 1e6))
                }
            }
        } catch let error as KerasFormatError {
            throw Failure.report(error)
        } catch let error as RecurrentError {
            // The layer benchmark refused its arguments (an unknown cell kind, impossible sizes).
            throw Failure.report(KerasFormatError(.unsupportedLayer, file: "bench", reason: error.message))
        }
    }
}
