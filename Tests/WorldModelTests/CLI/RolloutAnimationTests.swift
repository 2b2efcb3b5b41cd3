import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// The animation `wm demo` writes, made by `wm rollout --gif` with the shipped push models as the demo calls it
/// (shorter, to keep a debug build's test quick): prediction beside MuJoCo, the pusher drawn, looping.
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct RolloutAnimationTests {
    static let model = CLIFixture.shipped("push.safetensors"), field = CLIFixture.shipped("push-field.safetensors")
    static let shippedModelsPresent = access(model, R_OK) == 0 && access(field, R_OK) == 0

    @Test(.enabled(if: shippedModelsPresent, "needs models/push.safetensors and models/push-field.safetensors"))
    func rolloutWritesAnAnimationOfTheFramesWithTheRobotDrawn() throws {
        let folder = CLIFixture.folder + "/animation-\(UInt64.random(in: 0...UInt64.max))"
        let gif = folder + "/demo.gif"
        let (status, out, err) = try runWM(["rollout", "--model", Self.model, "--field", Self.field, "--scene", scenePath("push.xml"),
                                            "--steps", "40", "--seed", "2026", "--render", folder, "--render-every", "10",
                                            "--gif", gif, "--no-peak-rss"])
        #expect(status == 0, "stderr: \(err)")
        #expect(out.contains("wrote a 5-frame animation (320x160) to \(gif)"), "stdout: \(out)")
        let animation = try GIFFile.read(gif), frames = animation.frames
        try #require(frames.count == 5)
        #expect(animation.loopCount == 0)
        // 10 control steps of 20 ms a frame: real time.
        #expect(animation.delaysCentiseconds.allSatisfy { $0 == 20 })
        #expect(frames.allSatisfy { $0.width >= 320 && $0.width == 2 * $0.height })
        // The PNG frames are the same pictures, before the palette.
        let png = try PNGFile.read(folder + "/" + RolloutRun.frameFileName(step: 40))
        #expect(png.width == frames[4].width && png.height == frames[4].height)
        for frame in frames {
            var colours = Set<UInt32>()
            for p in 0..<(frame.width * frame.height) {
                colours.insert(UInt32(frame.pixels[p * 3]) << 16 | UInt32(frame.pixels[p * 3 + 1]) << 8 | UInt32(frame.pixels[p * 3 + 2]))
            }
            #expect(colours.count > 16, "a nearly blank frame: \(colours.count) colours")
            // The pusher (red, scenes/push.xml) appears on both sides: the field's prediction and MuJoCo's view.
            for side in 0..<2 {
                var red = 0
                for y in 0..<frame.height {
                    for x in (side * frame.height)..<((side + 1) * frame.height) {
                        let o = (y * frame.width + x) * 3
                        let r = Int(frame.pixels[o]), g = Int(frame.pixels[o + 1]), b = Int(frame.pixels[o + 2])
                        if r > 80 && r > 2 * g && r > 2 * b { red += 1 }
                    }
                }
                #expect(red >= 10, "the robot is missing from the \(side == 0 ? "prediction" : "MuJoCo") side (\(red) red pixels)")
            }
        }
        // The boxes move: the frames differ over time.
        #expect(frames[0] != frames[4])
    }

    @Test(.enabled(if: shippedModelsPresent, "needs models/push.safetensors and models/push-field.safetensors"))
    func anUnwritableAnimationPathIsOneLineBeforeAnyWork() throws {
        let gif = "/tmp/wm-no-such-folder-\(getpid())/demo.gif"
        try expectRefused(["rollout", "--model", Self.model, "--field", Self.field, "--scene", scenePath("push.xml"), "--steps", "2",
                           "--gif", gif, "--no-peak-rss"], naming: gif, inputs: [Self.model, Self.field], outputs: [gif])
    }
}
