#if canImport(Glibc)
import Glibc
#endif

/// The reader this fuzzer process drives: `WM_FUZZ_READER` (safetensors, dataset, npz or scene).
let fuzzedReader: FuzzedReader = {
    let name = getenv("WM_FUZZ_READER").map { String(cString: $0) } ?? ""
    guard let reader = FuzzedReader(rawValue: name) else {
        let text = Array("set WM_FUZZ_READER to one of \(FuzzedReader.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8)
        _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
    return reader
}()

/// A scratch file of this process in /dev/shm (memory), named so MuJoCo sees the extension it expects.
let scratchPath = "/dev/shm/wm-fuzz-\(getpid()).\(fuzzedReader.fileExtension)"

/// libFuzzer's driver (in the runtime that `-sanitize=fuzzer` links); SwiftPM owns `main`, so it is called here.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// One input, any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    fuzzedReader.read(bytes, scratch: scratchPath)
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = CommandLine.unsafeArgv
_ = fuzzedReader
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
