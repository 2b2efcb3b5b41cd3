import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// The package root, found from this file's path (tests run from any folder).
let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)  // Tests/WorldModelTests/Teacher/<file>
    return parts.joined(separator: "/")
}()

func scenePath(_ name: String) -> String { packageRoot + "/scenes/" + name }

@Suite struct TeacherRecorderTests {
    @Test func pushEpisodesAreDeterministicAndPhysical() throws {
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        let a = try recorder.record(episode: 3, steps: 60, seed: 11, policy: .waypoints)
        let b = try recorder.record(episode: 3, steps: 60, seed: 11, policy: .waypoints)
        #expect(a.episode == b.episode)
        let e = a.episode
        #expect(e.frameCount == 61 && e.objectCount == 4 && e.actionDimension == 2)
        try e.validate(e.dimensions)
        // Objects never sink below the table: z >= half-height minus MuJoCo's soft-contact penetration.
        for t in 0..<e.frameCount {
            for i in 0..<e.objectCount {
                let z = e.objectStates[(t * e.objectCount + i) * objectStateWidth + 2]
                #expect(z > 0.025 - 0.002)
            }
        }
        // Actions respect the actuator bounds.
        #expect(e.actions.allSatisfy { abs($0) <= 0.3 + 1e-6 })
    }

    @Test func waypointPolicyMakesContactInMostEpisodes() throws {
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        var touched = 0, moved = 0
        for k in 0..<10 {
            let r = try recorder.record(episode: k, steps: 100, seed: 1, policy: .waypoints)
            if r.robotTouchedObject { touched += 1 }
            if r.maxDisplacementMeters > 0.01 { moved += 1 }
        }
        #expect(touched >= 7)
        #expect(moved >= 6)
    }
}

@Suite struct TeacherDatasetGenerationTests {
    @Test func sameArgumentsWriteTheSameBytes() throws {
        let a = "/tmp/wm-gen-a-\(getpid()).wmds", b = "/tmp/wm-gen-b-\(getpid()).wmds"
        defer { unlink(a); unlink(b) }
        let summary = try TeacherRecorder(scenePath: scenePath("push.xml")).generateDataset(path: a, episodes: 4, steps: 30, seed: 5, policy: .waypoints)
        _ = try TeacherRecorder(scenePath: scenePath("push.xml")).generateDataset(path: b, episodes: 4, steps: 30, seed: 5, policy: .waypoints)
        #expect(try FileBytes.read(a) == FileBytes.read(b))
        let reader = try DatasetReader(path: a)
        #expect(reader.header.episodeCount == 4 && reader.header.framesPerEpisode == 31)
        #expect(reader.header.objects.count == 4 && reader.header.sceneName == "push")
        #expect(reader.header.contactFraction == summary.contactFraction)
        #expect(try reader.episode(3) == TeacherRecorder(scenePath: scenePath("push.xml")).record(episode: 3, steps: 30, seed: 5, policy: .waypoints).episode)
    }

    @Test func failedGenerationLeavesNoFile() throws {
        let out = "/tmp/wm-gen-fail-\(getpid()).wmds"
        #expect(throws: WorldModelError.self) {
            _ = try TeacherRecorder(scenePath: scenePath("push.xml")).generateDataset(path: out, episodes: 0, steps: 10, seed: 1, policy: .waypoints)
        }
        #expect(access(out, F_OK) != 0)
    }
}

@Suite struct GeneralizedRecordingTests {
    @Test func pushRecordsQposQvelAndBodyPosesThatAgreeWithTheFreeObjectView() throws {
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        let e = try recorder.record(episode: 0, steps: 20, seed: 4, policy: .waypoints).episode
        let model = recorder.sceneModel, d = e.dimensions
        #expect(d.nq == model.nq && d.nv == model.nv && d.bodyCount == model.movingBodyIndices.count)
        // Object i's free joint in qpos is its pose in the free-object view.
        let free = model.tree.joints.filter { $0.kind == .free }
        for t in [0, 10, 20] {
            for (i, joint) in free.enumerated() {
                for k in 0..<7 {
                    #expect(e.qpos[t * model.nq + joint.qposAddress + k] == e.objectStates[(t * 4 + i) * objectStateWidth + k])
                }
            }
        }
        // The actions are the ctrl vector MuJoCo applied.
        #expect(e.actions.count == 20 * model.nu)
    }

    @Test(.enabled(if: dmControlPresent, "needs dm_control's stacker.xml under /tmp/dmc (tools/fetch-dm-control.sh)"))
    func stackerRecordsWithSmoothRandomActions() throws {
        let recorder = try TeacherRecorder(scenePath: dmControlSuite + "stacker.xml")
        #expect(recorder.defaultPolicy == .smooth)
        #expect(throws: WorldModelError.self) { _ = try recorder.record(episode: 0, steps: 5, seed: 1, policy: .waypoints) }
        let a = try recorder.record(episode: 2, steps: 30, seed: 9, policy: .smooth)
        let b = try recorder.record(episode: 2, steps: 30, seed: 9, policy: .smooth)
        #expect(a.episode == b.episode)
        let e = a.episode, model = recorder.sceneModel
        #expect(e.objectCount == 0 && e.robotStates.isEmpty && e.qpos.count == 31 * 20 && e.bodyPoses.count == 31 * 13 * 7)
        #expect(e.qpos.allSatisfy(\.isFinite) && e.qvel.allSatisfy(\.isFinite))
        // Actions stay in ctrlrange and change smoothly (a 0.1 s low-pass of targets: at most ~18% of the range per step).
        #expect(e.actions.allSatisfy { abs($0) <= 1 })
        for t in 1..<30 { for k in 0..<5 { #expect(abs(e.actions[t * 5 + k] - e.actions[(t - 1) * 5 + k]) <= 0.37) } }
        // Limited joints stay near their ranges (MuJoCo's soft limits let them pass by a little).
        for joint in model.tree.joints where joint.limited {
            for t in 0..<e.frameCount {
                let q = e.qpos[t * model.nq + joint.qposAddress]
                #expect(q >= joint.range.x - 0.1 && q <= joint.range.y + 0.1, "\(joint.name) at frame \(t): \(q)")
            }
        }
        // Another episode starts elsewhere.
        let other = try recorder.record(episode: 3, steps: 1, seed: 9, policy: .smooth).episode
        #expect(Array(other.qpos[0..<20]) != Array(e.qpos[0..<20]))
    }

    @Test(.enabled(if: dmControlPresent, "needs dm_control's stacker.xml under /tmp/dmc (tools/fetch-dm-control.sh)"))
    func stackerDatasetWritesAndReadsBack() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let recorder = try TeacherRecorder(scenePath: dmControlSuite + "stacker.xml")
        let path = folder + "/stacker.wmds"
        let summary = try recorder.generateDataset(path: path, episodes: 3, steps: 10, seed: 5, policy: .smooth)
        #expect(summary.objects == 4)
        let reader = try DatasetReader(path: path)
        #expect(reader.header.sceneModel == recorder.sceneModel && reader.header.robot == nil && reader.header.actionDimension == 5)
        #expect(try reader.episode(1) == recorder.record(episode: 1, steps: 10, seed: 5, policy: .smooth).episode)
        #expect(throws: WorldModelError.self) { _ = try reader.header.requireRobot(file: path) }
        let info = DatasetSummary(header: reader.header, path: path, sizeBytes: reader.fileByteCount)
        #expect(info.generalizedState == DatasetSummary.GeneralizedStateSummary(nq: 20, nv: 20, movingBodies: 13, passiveBodies: 4))
        #expect(info.text.contains("state        qpos 20, qvel 20, 13 moving bodies (4 passive)"))
    }
}
