import Foundation
import Testing
import WorldModel

@Suite struct NPZImportTests {
    @Test(.enabled(if: DatasetFixture.sampleExists, "needs the MuJoCo-Python sample ../shared/peers/sample_push_n4.npz beside the repository"))
    func sampleFromMuJoCoPythonImports() throws {
        let (header, episodes) = try NPZImport.read(npz: DatasetFixture.samplePath)
        #expect(header.episodeCount == 4 && header.framesPerEpisode == 151 && header.objects.count == 4)
        #expect(episodes.count == 4)
        #expect(header.seed == 3 && header.controlDtSeconds == 0.02 && header.physicsDtSeconds == 0.002)
        #expect(header.objects.allSatisfy { $0.shape == .box && $0.halfExtentsMeters == [0.025, 0.025, 0.025] && $0.massKg == 0.1 })
        #expect(header.robot == .capsulePusher)
        #expect(header.mjcf.hasPrefix("<mujoco") && header.mjcf.count == 1815)
        #expect(header.sceneName == "sample_push_n4" && header.source == "import sample_push_n4.npz")
        #expect(header.splits == DatasetSplit.assign(episodeCount: 4, seed: 3))
        // Spot values printed by numpy: box_pos[1, 7, 2], box_quat[3, 150, 1], actions[2, 149], pusher_vel[1, 10].
        let pos = episodes[1].objectStates[((7 * 4 + 2) * 13)..<((7 * 4 + 2) * 13 + 3)]
        #expect(zip(pos, [-0.0805999, -0.07893147, 0.02494276] as [Float]).allSatisfy { abs($0 - $1) < 1e-7 })
        let quat = episodes[3].objectStates[((150 * 4 + 1) * 13 + 3)..<((150 * 4 + 1) * 13 + 7)]
        #expect(zip(quat, [0.8395906, 8.244963e-11, 8.592451e-11, -0.5432196] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(abs(episodes[2].actions[149 * 2] - -0.09434757) < 1e-7 && episodes[2].actions[149 * 2 + 1] == 0.3)
        #expect(abs(episodes[1].robotStates[10 * 6 + 3] - -0.09808519) < 1e-7)
        #expect(episodes[0].contactCounts.prefix(5) == [16, 16, 16, 16, 16])
    }

    @Test(.enabled(if: DatasetFixture.sampleExists, "needs the MuJoCo-Python sample ../shared/peers/sample_push_n4.npz beside the repository"),
          .enabled(if: DatasetFixture.hasNumPy, "needs python3 with numpy on PATH"))
    func sampleMatchesEveryValueNumpyReads() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        // numpy lays the arrays out as wm's Episode does: per frame and object 13 floats, per frame 6 robot floats.
        _ = try #require(DatasetFixture.python("""
            import numpy as np; z = np.load('\(DatasetFixture.samplePath)')
            s = np.concatenate([z['box_pos'], z['box_quat'], z['box_linvel'], z['box_angvel']], axis=-1).astype('<f4')
            r = np.concatenate([z['pusher_pos'], z['pusher_vel']], axis=-1).astype('<f4')
            open('\(folder)/objects.bin', 'wb').write(s.tobytes()); open('\(folder)/robot.bin', 'wb').write(r.tobytes())
            open('\(folder)/actions.bin', 'wb').write(z['actions'].astype('<f4').tobytes())
            open('\(folder)/ncon.bin', 'wb').write(z['ncon'].astype('<i4').tobytes())
            """))
        let (_, episodes) = try NPZImport.read(npz: DatasetFixture.samplePath)
        func values<T>(_ name: String, _: T.Type) throws -> [T] {
            let bytes = try FileBytes.read(folder + "/" + name)
            return bytes.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
        }
        #expect(try values("objects.bin", Float.self) == episodes.flatMap(\.objectStates))
        #expect(try values("robot.bin", Float.self) == episodes.flatMap(\.robotStates))
        #expect(try values("actions.bin", Float.self) == episodes.flatMap(\.actions))
        #expect(try values("ncon.bin", Int32.self) == episodes.flatMap(\.contactCounts))
    }

    @Test(.enabled(if: DatasetFixture.sampleExists, "needs the MuJoCo-Python sample ../shared/peers/sample_push_n4.npz beside the repository"))
    func overridesReplaceWhatTheFileSays() throws {
        let robot = RobotDescription(name: "other", shape: .sphere, halfExtentsMeters: [0.02, 0, 0], shapeCentreHeightMeters: 0.02,
                                     actionDimension: 2, actionMeaning: "target (x, y)", actionLow: [-1, -1], actionHigh: [1, 1])
        let objects = (0..<4).map { ObjectDescription(name: "o\($0)", shape: .cylinder, halfExtentsMeters: [0.02, 0.03, 0],
                                                      massKg: 0.2, rgba: [1, 0, 0, 1]) }
        let options = NPZImportOptions(sceneName: "push", mjcf: "<mujoco/>", objectsFromScene: objects, robotFromScene: robot)
        let (header, _) = try NPZImport.read(npz: DatasetFixture.samplePath, options: options)
        #expect(header.sceneName == "push" && header.mjcf == "<mujoco/>" && header.objects == objects && header.robot == robot)
        let tooFew = NPZImportOptions(objectsFromScene: Array(objects.prefix(3)))
        #expect(throws: WorldModelError.self) { try NPZImport.read(npz: DatasetFixture.samplePath, options: tooFew) }
    }

    // MARK: bad input: one line naming the file and the array, and no output left behind

    /// Writes the synthetic dataset's arrays, changed by `edit`, imports them, and returns the error message.
    private func importFailure(renames: [String: String] = [:],
                               _ edit: (inout [(name: String, array: NumPyArray)]) -> Void) throws -> String {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 31)
        var arrays = NPZExport.arrays(header: data.header, episodes: data.episodes)
        edit(&arrays)
        let npz = folder + "/in.npz", out = folder + "/out.wmds"
        try NumPyArchive.write(arrays, to: npz, compress: true)
        do {
            try NPZImport.convert(npz: npz, to: out, options: NPZImportOptions(arrayNames: renames))
            Issue.record("import succeeded")
            return ""
        } catch let error as WorldModelError {
            #expect(error.description.hasPrefix(npz + ": "))
            #expect(!error.description.contains("\n"))
            #expect(DatasetFixture.contents(of: folder) == ["in.npz"], "no output or temporary file")
            return error.message
        }
    }

    private func replace(_ name: String, with array: NumPyArray) -> (inout [(name: String, array: NumPyArray)]) -> Void {
        { arrays in arrays = arrays.map { $0.name == name ? (name, array) : $0 } }
    }

    @Test func missingArrayIsNamed() throws {
        let message = try importFailure { $0.removeAll { $0.name == "box_quat" } }
        #expect(message == "array box_quat is missing (map a file array onto it with arrayNames[\"box_quat\"])")
        let renamed = try importFailure(renames: ["box_pos": "obj_pos"]) { _ in }
        #expect(renamed == "array obj_pos (read as box_pos) is missing")
    }

    @Test func renamedArraysAreFound() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 32)
        let arrays = NPZExport.arrays(header: data.header, episodes: data.episodes).map { entry in
            entry.name == "box_pos" ? (name: "obj_pos", array: entry.array) : entry
        }
        try NumPyArchive.write(arrays, to: folder + "/in.npz", compress: false)
        let (header, episodes) = try NPZImport.read(npz: folder + "/in.npz", options: NPZImportOptions(arrayNames: ["box_pos": "obj_pos"]))
        #expect(header == data.header && episodes == data.episodes)
    }

    @Test func wrongShapeOrInconsistentCountsAreNamed() throws {
        let wrongWidth = try importFailure(replace("box_linvel", with: NumPyArray(floats: [Float](repeating: 0, count: 5 * 7 * 3 * 2), shape: [5, 7, 3, 2])))
        #expect(wrongWidth == "array box_linvel has shape (5, 7, 3, 2), expected (E, T+1, N, 3) = (5, 7, 3, 3) with E=5, T+1=7, N=3 from array box_pos")
        let fewerEpisodes = try importFailure(replace("ncon", with: NumPyArray(int16s: [Int16](repeating: 1, count: 4 * 7), shape: [4, 7])))
        #expect(fewerEpisodes.hasPrefix("array ncon has shape (4, 7), expected (E, T+1) = (5, 7)"))
        let notStates = try importFailure(replace("box_pos", with: NumPyArray(floats: [1, 2, 3], shape: [3])))
        #expect(notStates == "array box_pos has shape (3,), expected (E, T+1, N, 3)")
    }

    @Test func wrongDTypeAndNaNAreNamed() throws {
        let intStates = try importFailure(replace("pusher_pos", with: NumPyArray(int32s: [Int32](repeating: 0, count: 5 * 7 * 3), shape: [5, 7, 3])))
        #expect(intStates == "array pusher_pos has dtype <i4, expected float32 (<f4) or float64 (<f8)")
        let floatCounts = try importFailure(replace("ncon", with: NumPyArray(floats: [Float](repeating: 0, count: 35), shape: [5, 7])))
        #expect(floatCounts == "array ncon has dtype <f4, expected an integer type")
        var nan = [Float](repeating: 0, count: 5 * 7 * 3 * 3)
        nan[17] = .nan
        let withNaN = try importFailure(replace("box_angvel", with: NumPyArray(floats: nan, shape: [5, 7, 3, 3])))
        #expect(withNaN == "array box_angvel holds nan at flat index 17; states and actions must be finite")
        let textSeed = try importFailure(replace("seed", with: NumPyArray(string: "3")))
        #expect(textSeed.hasPrefix("array seed has dtype <U1"))
    }

    @Test func notANpzIsAnError() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = try DatasetFixture.write(DatasetFixture.dataset(seed: 1), to: folder + "/a.wmds")
        #expect {
            try NPZImport.convert(npz: data, to: folder + "/out.wmds")
        } throws: { error in
            (error as? WorldModelError)?.description == data + ": not a zip archive (no end-of-central-directory record)"
        }
        #expect(DatasetFixture.contents(of: folder) == ["a.wmds"])
    }

    @Test(.enabled(if: DatasetFixture.sampleExists, "needs the MuJoCo-Python sample ../shared/peers/sample_push_n4.npz beside the repository"))
    func truncatedNpzIsAnError() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let sample = try FileBytes.read(DatasetFixture.samplePath)
        for keep in [10, 30_000, sample.count - 30] {
            let npz = folder + "/cut.npz"
            try DatasetFixture.writeBytes(Array(sample.prefix(keep)), to: npz)
            #expect {
                try NPZImport.convert(npz: npz, to: folder + "/out.wmds")
            } throws: { error in
                (error as? WorldModelError)?.description.hasPrefix(npz + ": truncated zip archive") == true
            }
            #expect(DatasetFixture.contents(of: folder) == ["cut.npz"])
        }
    }
}

@Suite struct NPZImportGeneralizedStateTests {
    /// Push-style arrays (no qpos) imported with their scene map onto the scene's free joints and the pusher's
    /// slide joints: the same qpos, qvel and body poses MuJoCo recorded.
    @Test func pushStyleArraysMapToTheScenesQpos() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let simulation = try MuJoCoSimulation(path: scenePath("push.xml"))
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        let data = folder + "/push.wmds"
        _ = try recorder.generateDataset(path: data, episodes: 2, steps: 12, seed: 3, policy: .waypoints)
        let reader = try DatasetReader(path: data)
        let episodes = try (0..<2).map { try reader.episode($0) }
        let generalized: Set = [NPZArrayNames.qpos, NPZArrayNames.qvel, NPZArrayNames.bodyPoses, NPZArrayNames.sceneModel]
        let pushStyle = NPZExport.arrays(header: reader.header, episodes: episodes).filter { !generalized.contains($0.name) }
        let npz = folder + "/push.npz"
        try NumPyArchive.write(pushStyle, to: npz, compress: false)

        let plain = try NPZImport.read(npz: npz)
        #expect(plain.header.sceneModel == nil && plain.episodes[0].qpos.isEmpty)
        var options = NPZImportOptions()
        options.generalizedStateFromScene = (simulation.sceneModel, try simulation.freeObjectLayout)
        let mapped = try NPZImport.read(npz: npz, options: options)
        #expect(mapped.header.sceneModel == simulation.sceneModel)
        for (imported, recorded) in zip(mapped.episodes, episodes) {
            #expect(imported.qpos.count == recorded.qpos.count && imported.bodyPoses.count == recorded.bodyPoses.count)
            let worst = { (a: [Float], b: [Float]) in zip(a, b).map { abs($0 - $1) }.max() ?? 0 }
            // The objects' free joints map exactly; the pusher's slides (the first 2 qpos and qvel entries) come from
            // its recorded body origin, which lags qpos by one physics step (at most 0.3 m/s x 2 ms).
            let frames = imported.frameCount, nq = simulation.sceneModel.nq, nv = simulation.sceneModel.nv
            for t in 0..<frames {
                for k in 0..<nq { #expect(abs(imported.qpos[t * nq + k] - recorded.qpos[t * nq + k]) < (k < 2 ? 7e-4 : 1e-5), "qpos[\(k)] frame \(t)") }
                for k in 2..<nv { #expect(abs(imported.qvel[t * nv + k] - recorded.qvel[t * nv + k]) < 1e-4, "qvel[\(k)] frame \(t)") }
            }
            #expect(worst(imported.bodyPoses, recorded.bodyPoses) < 7e-4)
        }
    }
}
