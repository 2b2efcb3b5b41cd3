import Testing
import WorldModel

@Suite struct NumPyArchiveTests {
    private let arrays: [(name: String, array: NumPyArray)] = [
        ("pos", NumPyArray(floats: [0.5, -0.25, 1e-3, 3.25, 0, 7], shape: [2, 3])),
        ("count", NumPyArray(int16s: [3, 4], shape: [2])),
        ("dt", NumPyArray(doubles: [0.002], shape: [])),
        ("name", NumPyArray(string: "push")),
    ]

    @Test func writeThenReadGivesTheSameArrays() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        for compress in [false, true] {
            try NumPyArchive.write(arrays, to: folder + "/a.npz", compress: compress)
            let back = try NumPyArchive.read(path: folder + "/a.npz")
            #expect(back.count == arrays.count)
            for (name, array) in arrays { #expect(back[name] == array) }
        }
        #expect(DatasetFixture.contents(of: folder) == ["a.npz"])
    }

    @Test(.enabled(if: DatasetFixture.hasNumPy, "needs python3 with numpy on PATH"))
    func numpyLoadsWhatWeWrite() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        for compress in [false, true] {
            try NumPyArchive.write(arrays, to: folder + "/a.npz", compress: compress)
            let out = try #require(DatasetFixture.python("""
                import numpy as np; z = np.load('\(folder)/a.npz')
                print(z['pos'].dtype, z['pos'].shape, float(z['pos'][1, 0]), z['count'].dtype, z['count'].tolist(), \
                float(z['dt']), str(z['name']))
                """))
            #expect(out == "float32 (2, 3) 3.25 int16 [3, 4] 0.002 push\n")
        }
    }

    @Test(.enabled(if: DatasetFixture.hasNumPy, "needs python3 with numpy on PATH"))
    func weReadWhatNumpyWrites() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        for save in ["savez", "savez_compressed"] {
            _ = try #require(DatasetFixture.python("""
                import numpy as np
                np.\(save)('\(folder)/n.npz', f=np.arange(6, dtype='<f4').reshape(2, 3) / 4, d=np.float64(0.1),
                           i=np.array([-1, 2], dtype='<i8'), b=np.array([True, False]), u=np.uint8(200),
                           s=np.array('wm'), names=np.array(['a', 'bcd']), big=np.zeros((70000,), dtype='<i4'))
                """))
            let z = try NumPyArchive.read(path: folder + "/n.npz")
            #expect(z["f"]?.shape == [2, 3])
            #expect(try z["f"]?.floats() == [0, 0.25, 0.5, 0.75, 1, 1.25])
            #expect(try z["d"]?.doubles() == [0.1])
            #expect(try z["i"]?.integers() == [-1, 2])
            #expect(try z["b"]?.integers() == [1, 0])
            #expect(try z["u"]?.integers() == [200])
            #expect(try z["s"]?.strings() == ["wm"])
            #expect(try z["names"]?.strings() == ["a", "bcd"])
            #expect(z["big"]?.elementCount == 70000)
        }
    }
}
