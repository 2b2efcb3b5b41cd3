import Testing
import WorldModel

@Suite struct NPZExportTests {
    @Test func exportThenImportPreservesEveryValue() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 41)
        let dataset = try DatasetFixture.write(data, to: folder + "/a.wmds")
        for compress in [false, true] {
            try NPZExport.write(dataset: dataset, to: folder + "/a.npz", compress: compress)
            try NPZImport.convert(npz: folder + "/a.npz", to: folder + "/b.wmds")
            let reader = try DatasetReader(path: folder + "/b.wmds")
            #expect(reader.header == data.header)
            #expect(try (0..<5).map { try reader.episode($0) } == data.episodes)
            // Same values in, same bytes out: the re-imported dataset is the original file.
            #expect(try DatasetFixture.bytes(folder + "/b.wmds") == DatasetFixture.bytes(dataset))
        }
    }

    @Test(.enabled(if: DatasetFixture.sampleExists, "needs the MuJoCo-Python sample ../shared/peers/sample_push_n4.npz beside the repository"))
    func sampleRoundTripsThroughExport() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let imported = try NPZImport.convert(npz: DatasetFixture.samplePath, to: folder + "/s.wmds")
        try NPZExport.write(dataset: folder + "/s.wmds", to: folder + "/s.npz", compress: true)
        let (header, episodes) = try NPZImport.read(npz: folder + "/s.npz")
        #expect(header == imported)
        let reader = try DatasetReader(path: folder + "/s.wmds")
        #expect(try (0..<4).map { try reader.episode($0) } == episodes)
        // The documented arrays keep their sample dtypes and shapes.
        let arrays = try NumPyArchive.read(path: folder + "/s.npz")
        #expect(arrays["ncon"]?.dtype == .int16 && arrays["ncon"]?.shape == [4, 151])
        #expect(arrays["box_half_size"]?.shape == [] && arrays["box_mass"]?.shape == [])
        #expect(arrays["actions"]?.shape == [4, 150, 2])
    }

    @Test(.enabled(if: DatasetFixture.hasNumPy, "needs python3 with numpy on PATH"))
    func numpyReadsTheExport() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 42)
        let dataset = try DatasetFixture.write(data, to: folder + "/a.wmds")
        try NPZExport.write(dataset: dataset, to: folder + "/a.npz", compress: true)
        let out = try #require(DatasetFixture.python("""
            import numpy as np; z = np.load('\(folder)/a.npz')
            print(z['box_pos'].shape, z['box_quat'].dtype, z['actions'].shape, z['ncon'].dtype, z['split'].tolist(),
                  str(z['scene_name']), z['object_names'].tolist(), repr(float(z['box_pos'][2, 3, 1, 2])))
            """))
        let e2 = data.episodes[2].objectStates[(3 * 3 + 1) * 13 + 2]
        let splits = data.header.splits.map { $0 == .train ? 0 : $0 == .valid ? 1 : 2 }
        #expect(out == "(5, 7, 3, 3) float32 (5, 6, 2) int16 \(splits) synthetic ['object0', 'object1', 'object2'] \(Double(e2))\n")
    }
}
