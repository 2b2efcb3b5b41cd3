import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct OutputPathCheckTests {
    private func refuses(_ output: String, _ input: String) -> Bool {
        (try? OutputPathCheck.refuse(outputs: [output], overwriting: [input])) == nil
    }

    @Test func theSameFileUnderAnyNameIsRefused() throws {
        let input = try temporaryFile("alias-input.wmds", "data")
        defer { unlink(input) }
        let folder = String(input[..<input.lastIndex(of: "/")!]), name = String(input[input.index(after: input.lastIndex(of: "/")!)...])
        let hard = input + ".hard", soft = input + ".soft"
        defer { unlink(hard); unlink(soft) }
        #expect(link(input, hard) == 0 && symlink(input, soft) == 0)
        #expect(refuses(input, input))
        #expect(refuses(folder + "/./" + name, input))
        #expect(refuses(folder + "/../" + String(folder.dropFirst()) + "/" + name, input))
        #expect(refuses(hard, input))
        #expect(refuses(soft, input))
        #expect(refuses(input, soft))
        #expect(!refuses(input + ".other", input))
        #expect(!refuses("/tmp/wm-test-missing-folder-\(getpid())/x", input))
    }

    @Test func theErrorNamesTheOutputAndTheInput() throws {
        let input = try temporaryFile("alias-named.xml", "<mujoco/>")
        defer { unlink(input) }
        #expect(throws: WorldModelError(file: input, "is also an input of this command (\(input)); refusing to overwrite it")) {
            try OutputPathCheck.refuse(outputs: [input], overwriting: [input])
        }
    }

    @Test func anInputAtTheTemporaryNameIsRefused() throws {
        let output = "/tmp/wm-test-\(getpid())-alias-out.safetensors"
        let temporary = try AtomicFileWriter.temporaryPath(for: output)
        let writer = try AtomicFileWriter(path: temporary)
        try writer.write(Array("weights".utf8))
        try writer.commit()
        defer { unlink(temporary) }
        #expect(refuses(output, temporary))
    }

    @Test func aFolderOfFramesRefusesAnInputNamedLikeAFrame() throws {
        let folder = "/tmp/wm-test-\(getpid())-frames"
        mkdir(folder, 0o755)
        defer { rmdir(folder) }
        let frame = folder + "/frame00025.png", other = folder + "/scene.xml"
        for path in [frame, other] { close(open(path, O_WRONLY | O_CREAT, 0o644)) }
        defer { unlink(frame); unlink(other) }
        #expect(throws: WorldModelError.self) {
            try OutputPathCheck.refuse(folder: folder, writingFilesWhere: RolloutRun.isFrameFileName, overwriting: [frame])
        }
        try OutputPathCheck.refuse(folder: folder, writingFilesWhere: RolloutRun.isFrameFileName, overwriting: [other])
        #expect(RolloutRun.isFrameFileName("frame0000.png") && !RolloutRun.isFrameFileName("frame.png") && !RolloutRun.isFrameFileName("framex1.png"))
    }
}
