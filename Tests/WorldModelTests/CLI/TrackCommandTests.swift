import FoundationEssentials
import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// `wm track` and `wm bench track` on the push scene's table_view camera, end to end.
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct TrackCommandTests {
    let push = scenePath("push.xml")
    let model = CLIFixture.shipped("push-bodies.safetensors"), field = CLIFixture.shipped("push-field.safetensors")

    struct Report: Decodable {
        struct Percentiles: Decodable { var median: Float; var p95: Float; var max: Float }
        var frames: Int
        var bodies: Int
        var position_error_mm: Percentiles
        var rotation_error_deg: Percentiles
        var frames_per_second: Double
    }

    /// Tracks a recorded episode from frames with 2 mm depth noise; the estimate stays within millimetres of the
    /// recording, and --render writes the observed frame beside the estimate.
    @Test func trackFollowsARecordedEpisode() throws {
        let data = try #require(CLIFixture.pushData)
        let folder = CLIFixture.folder + "/track-render"
        let (status, out, err) = try runWM(["track", "--scene", push, "--field", field, "--model", model, "--data", data,
                                            "--episodes", "1", "--steps", "10", "--render", folder, "--json"])
        #expect(status == 0, "\(err)")
        let report = try JSONDecoder().decode(Report.self, from: Data(out.utf8))
        #expect(report.frames >= 8 && report.bodies == 4)
        #expect(report.position_error_mm.median < 3 && report.rotation_error_deg.median < 5, "\(out)")
        #expect(report.frames_per_second > 0)
        let pictures = (directoryEntries(folder) ?? []).filter { $0.hasSuffix(".png") }
        #expect(pictures.count == 1, "\(pictures)")
        if let first = pictures.first {
            let bytes = try FileBytes.read(folder + "/" + first)
            #expect(bytes.count > 100 && bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
    }

    /// One cube per episode moved by hand 3 cm and turned 20 degrees: each is found again within 5 frames, and no
    /// body is reported lost while at least half of it is in sight. (That the tracker alone does not find it:
    /// BodySearchTests.)
    @Test func trackFindsBodiesMovedByHand() throws {
        struct Recovery: Decodable { var displacements: Int; var found_within_5_frames: Int; var found: Int }
        struct Moved: Decodable { var recovery: Recovery; var lost_while_half_visible_body_frames: Int; var half_visible_body_frames: Int; var searches: Int }
        let data = try #require(CLIFixture.pushData)
        let (status, out, err) = try runWM(["track", "--scene", push, "--field", field, "--model", model, "--data", data, "--episodes", "2",
                                            "--steps", "6", "--displace-mm", "30", "--displace-after", "2", "--json"])
        #expect(status == 0, "\(err)")
        let moved = try JSONDecoder().decode(Moved.self, from: Data(out.utf8))
        #expect(moved.recovery.displacements >= 1)
        #expect(moved.recovery.found_within_5_frames == moved.recovery.displacements, "\(moved)")
        #expect(moved.lost_while_half_visible_body_frames == 0 && moved.half_visible_body_frames > 0 && moved.searches > 0)
    }

    /// A field of another scene, a camera the scene lacks, data of another scene and a free-object model are each
    /// one line naming the file, and nothing is touched.
    @Test func trackRefusesFilesThatDoNotBelongTogether() throws {
        let data = try #require(CLIFixture.pushData), clutterData = try #require(CLIFixture.clutterData)
        let clutterField = CLIFixture.shipped("clutter-field.safetensors"), objectModel = CLIFixture.shipped("push.safetensors")
        let track = { (field: String, model: String, data: String, camera: String, naming: String) in
            try expectRefused(["track", "--scene", push, "--field", field, "--model", model, "--data", data, "--camera", camera,
                               "--episodes", "1", "--steps", "2"], naming: naming, inputs: [field, model, data, push])
        }
        try track(clutterField, model, data, "table_view", clutterField)
        try track(field, model, data, "no_such_camera", push)
        try track(field, model, clutterData, "table_view", clutterData)
        try track(field, objectModel, data, "table_view", objectModel)
        try expectRefused(["track", "--scene", push, "--field", field, "--model", model, "--data", data, "--size", "4"],
                          naming: "--size", inputs: [field, model, data])
    }

    @Test func benchTrackTimesTheFilter() throws {
        let (status, out, err) = try runWM(["bench", "track", "--repeats", "1", "--track-steps", "6", "--json"])
        #expect(status == 0, "\(err)")
        let report = try JSONDecoder().decode(TrackingBenchmarkReport.self, from: Data(out.utf8))
        #expect(report.framesPerSecond.rounds == 1 && report.framesPerSecond.median > 0 && report.bodies == 4)
        #expect(report.medianPositionErrorMillimetres < 3, "\(out)")
    }

    /// `wm plan --observe camera` runs the learned planner on the camera filter's estimate beside the state-based one.
    @Test func planFromACameraRunsBesideTheStateBasedPlanner() throws {
        struct Plan: Decodable { var success_rate: [String: Double]; var observe: String; var camera_median_position_error_mm: Double? }
        let (status, out, err) = try runWM(["plan", "--model", model, "--scene", push, "--tasks", "1", "--samples", "8", "--horizon", "3",
                                            "--time-limit", "0.3", "--controllers", "learned", "--observe", "camera", "--field", field, "--json"])
        #expect(status == 0, "\(err)")
        let report = try JSONDecoder().decode(Plan.self, from: Data(out.utf8))
        #expect(report.observe == "camera" && report.success_rate["learned-camera"] != nil && report.success_rate["learned"] != nil)
        #expect((report.camera_median_position_error_mm ?? 99) < 5, "\(out)")
        try expectRefused(["plan", "--model", model, "--scene", push, "--tasks", "1", "--observe", "camera"], naming: "--field", inputs: [model])
    }
}
