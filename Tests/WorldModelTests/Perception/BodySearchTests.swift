import Testing
import WorldModel

@Suite struct BodySearchTests {
    /// A cube moved by hand 3 cm and turned 20 degrees between two frames: the tracker alone, starting from where
    /// it was, does not get it back (its step reaches millimetres); the search finds it in that one frame, and
    /// leaves the other cubes where they were.
    @Test(arguments: [(SIMD3<Float>(0.03, 0, 0), Float(20)), (SIMD3<Float>(-0.021, 0.021, 0), Float(-20))])
    func findsACubeMovedByHandInOneFrame(offset: SIMD3<Float>, degrees: Float) throws {
        let fixture = try PushCameraFixture()
        let moved = displaced(PushCameraFixture.truth, body: 2, by: offset, yawDegrees: degrees)
        let frame = try fixture.frame(poses: moved)
        let tracker = PoseTracker(fields: fixture.fields)
        let alone = try tracker.track(frames: [frame], from: PushCameraFixture.truth)
        #expect(positionError(alone.poses, moved, body: 2) > 0.01)
        #expect(alone.bodies[2].confidence < BodySearchConfiguration().belowConfidence)

        let search = BodySearch(fields: fixture.fields)
        let found = try search.recover(alone, frames: [frame], tracker: tracker)
        #expect(search.searches == 1 && search.recoveries == 1)
        #expect(positionError(found.poses, moved, body: 2) < 0.005)
        #expect(rotationErrorDegrees(found.poses, moved, body: 2) < 5)
        #expect(!found.bodies[2].isLost && found.bodies[2].confidence > alone.bodies[2].confidence)
        for b in [0, 1, 3] { #expect(Array(found.poses[(7 * b)..<(7 * b + 7)]) == Array(alone.poses[(7 * b)..<(7 * b + 7)])) }
        #expect(tracker.configuration == PoseTrackerConfiguration())
    }

    /// Bodies the tracker finds well are not searched for, and a body the frame does not show at all (taken off
    /// the table) is searched for but not found: the search keeps it lost rather than snapping it onto a
    /// neighbour.
    @Test func searchesOnlyForBodiesFoundPoorlyAndInventsNone() throws {
        let fixture = try PushCameraFixture()
        let tracker = PoseTracker(fields: fixture.fields)
        let search = BodySearch(fields: fixture.fields)
        let frame = try fixture.frame()
        let fine = try tracker.track(frames: [frame], from: PushCameraFixture.truth)
        let same = try search.recover(fine, frames: [frame], tracker: tracker)
        #expect(search.searches == 0 && same.poses == fine.poses)

        var gone = PushCameraFixture.truth
        gone[7 * 3 + 2] = -1   // under the table: the frame shows table where body 3 was
        let lost = try tracker.track(frames: [try fixture.frame(poses: gone)], from: PushCameraFixture.truth)
        #expect(lost.bodies[3].isLost)
        let after = try search.recover(lost, frames: [try fixture.frame(poses: gone)], tracker: tracker)
        #expect(after.bodies[3].isLost)
        for b in 0..<3 { #expect(positionError(after.poses, PushCameraFixture.truth, body: b) < 0.004) }
        #expect(positionError(after.poses, PushCameraFixture.truth, body: 3) < 0.03)
    }
}
