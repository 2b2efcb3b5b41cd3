import Testing
import FoundationEssentials
import Glibc
@testable import WorldModel

@Suite struct ObjectFieldSetTests {
    static let table = TableDescription(heightMeters: 0, halfExtentsMeters: [0.5, 0.5], rgb: [0.78, 0.76, 0.70])
    static let objects = [
        ObjectDescription(name: "a", shape: .box, halfExtentsMeters: [0.025, 0.025, 0.025], massKg: 0.1, rgba: [0.2, 0.5, 0.8, 1]),
        ObjectDescription(name: "b", shape: .sphere, halfExtentsMeters: [0.02, 0, 0], massKg: 0.1, rgba: [0.9, 0.7, 0.2, 1]),
        ObjectDescription(name: "c", shape: .box, halfExtentsMeters: [0.025, 0.025, 0.025], massKg: 0.1, rgba: [0.2, 0.5, 0.8, 1]),
    ]
    static let configuration = NeuralFieldConfiguration(
        hashGrid: HashGridConfiguration(levels: 2, featuresPerLevel: 2, log2TableSize: 6, baseResolution: 2, finestResolution: 8),
        hiddenWidths: [8], samplesAcrossBounds: 16, occupancyResolution: 4)

    func temporaryPath(_ name: String) -> String { "/tmp/wm-field-test-\(getpid())-\(name).safetensors" }

    @Test func identicalObjectsShareAClass() {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, table: Self.table, configuration: Self.configuration, seed: 1)
        #expect(set.fields.count == 2)
        #expect(set.description.objectClasses == [0, 1, 0])
        #expect(set.parameterBytes == set.parameters.reduce(0) { $0 + $1.value.count } * 4)
    }

    @Test func saveAndLoadGiveTheSameField() throws {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, table: Self.table, configuration: Self.configuration, seed: 3)
        for i in 0..<set.fields[0].table.value.count { set.fields[0].table.value.base[i] = Float(i % 7) * 0.1 }
        let path = temporaryPath("roundtrip")
        defer { unlink(path) }
        try set.save(to: path)
        let loaded = try ObjectFieldSet.load(from: path)
        #expect(loaded.description == set.description)
        let points: [Float] = [0.01, 0.0, 0.005, -0.02, 0.01, 0.0]
        var a = [Float](repeating: 0, count: 2), b = a, ca = [Float](repeating: 0, count: 6), cb = ca
        set.fields[0].evaluate(points: points, count: 2, towardsLight: [0, 0, 1], density: &a, rgb: &ca)
        loaded.fields[0].evaluate(points: points, count: 2, towardsLight: [0, 0, 1], density: &b, rgb: &cb)
        #expect(a == b && ca == cb)
    }

    @Test func truncatedOrCorruptCheckpointIsAOneLineError() throws {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, table: Self.table, configuration: Self.configuration, seed: 3)
        let path = temporaryPath("broken")
        defer { unlink(path) }
        try set.save(to: path)
        let bytes = try FileBytes.read(path)
        for broken in [Array(bytes[0..<(bytes.count / 2)]), Array(bytes[0..<5]), [UInt8](repeating: 0x7b, count: 64)] {
            let writer = try AtomicFileWriter(path: path)
            try writer.write(broken)
            try writer.commit()
            do {
                _ = try ObjectFieldSet.load(from: path)
                Issue.record("a broken checkpoint loaded")
            } catch let error as WorldModelError {
                #expect(error.file == path)
                #expect(!error.description.contains("\n"))
            }
        }
        #expect(throws: WorldModelError.self) { try ObjectFieldSet.load(from: temporaryPath("missing")) }
    }

    static let pusher = RobotLinkShape(bodyName: "pusher", shape: .capsule, halfExtentsMeters: [0.015, 0.03, 0], rgba: [0.85, 0.2, 0.15, 1],
                                       centreMeters: [0, 0, 0.05])

    /// A robot link gets a field of its own, never shared with an object, with bounds around where its shape sits
    /// in the body frame; it is placed only when its body pose is given, and it survives save and load.
    @Test func robotLinkHasItsOwnFieldInItsBodyFrame() throws {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, robotLinks: [Self.pusher], table: Self.table, configuration: Self.configuration, seed: 1)
        #expect(set.fields.count == 3)
        let link = try #require(set.robotLinks.first)
        #expect(link.bodyName == "pusher" && link.classIndex == 2)
        #expect(link.shapePose == [0, 0, 0.05, 1, 0, 0, 0])
        let bounds = set.fields[2].bounds
        #expect(abs(bounds.centre.z - 0.05) < 1e-6 && abs(bounds.centre.x) < 1e-6)
        #expect(abs(bounds.halfExtents.z - (0.045 * 1.1 + 0.002)) < 1e-6 && abs(bounds.halfExtents.x - (0.015 * 1.1 + 0.002)) < 1e-6)
        let poses = [Float](repeating: 0, count: 21).enumerated().map { $0.offset % 7 == 3 ? 1 : $0.element }
        #expect(set.placed(poses: poses).count == 3)
        let placed = set.placed(poses: poses, linkPoses: [0.1, -0.2, 0, 1, 0, 0, 0])
        #expect(placed.count == 4)
        #expect(placed[3].field as? NeuralObjectField === set.fields[2] && placed[3].position == SIMD3(0.1, -0.2, 0))
        let path = temporaryPath("link")
        defer { unlink(path) }
        try set.save(to: path)
        #expect(try ObjectFieldSet.load(from: path).description == set.description)
    }

    /// A checkpoint whose robot link names a field class the set does not have is a one-line error, not a crash
    /// when the link is drawn.
    @Test func linkToAMissingClassIsRefused() throws {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, robotLinks: [Self.pusher], table: Self.table, configuration: Self.configuration, seed: 1)
        var broken = set.description
        broken.robotLinks![0].classIndex = 9
        let path = temporaryPath("badlink")
        defer { unlink(path) }
        try ObjectFieldSet(description: broken, seed: 1).save(to: path)
        do {
            _ = try ObjectFieldSet.load(from: path)
            Issue.record("a link to a missing class loaded")
        } catch let error as WorldModelError {
            #expect(error.file == path && error.description.contains("robot link 'pusher' refers to field class 9 of 3"), "\(error)")
        }
    }

    /// A link turned in its body (a capsule along x) gets bounds turned with it.
    @Test func turnedLinkBoundsFollowTheShape() {
        var link = Self.pusher
        link.quaternion = SIMD4(cosf(Float.pi / 4), 0, sinf(Float.pi / 4), 0)  // +90 degrees about y: the capsule's z axis along x
        let set = ObjectFieldSet(sceneName: "t", objects: [], robotLinks: [link], table: Self.table, configuration: Self.configuration, seed: 1)
        let h = set.fields[0].bounds.halfExtents
        #expect(abs(h.x - (0.045 * 1.1 + 0.002)) < 1e-5 && abs(h.z - (0.015 * 1.1 + 0.002)) < 1e-5)
    }

    /// Checkpoints written before robot links existed have no `robotLinks` key: they decode with none, so the
    /// robot is drawn from its primitive.
    @Test func descriptionWithoutRobotLinksDecodes() throws {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, table: Self.table, configuration: Self.configuration, seed: 1)
        let json = String(decoding: try JSONEncoder().encode(set.description), as: UTF8.self)
        #expect(!json.contains("robotLinks"))
        let decoded = try JSONDecoder().decode(ObjectFieldSetDescription.self, from: Data(json.utf8))
        #expect(decoded.robotLinks == nil)
        #expect(ObjectFieldSet(description: decoded, seed: 1).robotLinks.isEmpty)
    }
}
