/// Picks frames (object states, `N x 13` each, and the robot's state) from a dataset's episodes for field
/// training and evaluation.
public enum FieldFrames {
    /// About `count` frames spread evenly over the given episodes of `reader` (every k-th frame of each).
    public static func pick(from reader: DatasetReader, episodes: [Int], count: Int) throws -> [FieldFrame] {
        guard !episodes.isEmpty, count > 0 else { return [] }
        let n = reader.header.objects.count, width = n * objectStateWidth
        let perEpisode = max(1, (count + episodes.count - 1) / episodes.count)
        var frames: [FieldFrame] = []
        for e in episodes where frames.count < count {
            let episode = try reader.episode(e)
            let stride = max(1, episode.frameCount / perEpisode)
            let robotWidth = episode.robotStates.count / max(episode.frameCount, 1)
            var f = stride / 2
            while f < episode.frameCount && frames.count < count {
                frames.append(FieldFrame(objectStates: Array(episode.objectStates[(f * width)..<((f + 1) * width)]),
                                         robotState: Array(episode.robotStates[(f * robotWidth)..<((f + 1) * robotWidth)])))
                f += stride
            }
        }
        return frames
    }
}
