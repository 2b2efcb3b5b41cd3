/// Picks frames (object states, `N x 13` each, and the robot's state) from a dataset's episodes for field
/// training and evaluation.
public enum FieldFrames {
    /// About `count` frames spread evenly over the given episodes of `reader` (every k-th frame of each).
    public static func pick(from reader: DatasetReader, episodes: [Int], count: Int) throws -> [FieldFrame] {
        guard !episodes.isEmpty, count > 0 else { return [] }
        let perEpisode = max(1, (count + episodes.count - 1) / episodes.count)
        var frames: [FieldFrame] = []
        for e in episodes where frames.count < count {
            let episode = try reader.episode(e)
            let stride = max(1, episode.frameCount / perEpisode)
            var f = stride / 2
            while f < episode.frameCount && frames.count < count {
                frames.append(FieldFrame(episode, frame: f))
                f += stride
            }
        }
        return frames
    }
}
