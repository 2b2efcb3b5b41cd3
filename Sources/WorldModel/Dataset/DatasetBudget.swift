extension DatasetFormat {
    /// The bytes of one episode block (payload and CRC-32) of `framesPerEpisode` frames with `dimensions`, the
    /// layout of ``episodeBlockByteCount(_:)`` in saturating arithmetic: absurd counts give `Int.max`, never a trap.
    public static func plannedBlockByteCount(framesPerEpisode f: Int, dimensions d: EpisodeDimensions) -> Int {
        typealias B = ResourceBudget
        let floatsPerFrame = B.sum(B.product(d.objectCount, objectStateWidth), d.robotWidth, 1, d.nq, d.nv, B.product(d.bodyCount, bodyPoseWidth))
        return B.sum(B.product(4, B.sum(B.product(f, floatsPerFrame), B.product(max(f - 1, 0), d.actionDimension))), 4)
    }

    /// The bytes of a dataset file of `episodes` episodes of `framesPerEpisode` frames with `dimensions`, with a
    /// header holding `mjcfByteCount` bytes of MJCF, in saturating arithmetic, so it can be asked before a header
    /// exists. The header is bounded by its MJCF (and the scene model), a split name per episode and 64 kB for the rest.
    public static func plannedFileByteCount(episodes: Int, framesPerEpisode f: Int, dimensions: EpisodeDimensions,
                                            mjcfByteCount: Int) -> Int {
        typealias B = ResourceBudget
        let header = B.sum(B.product(4, mjcfByteCount), B.product(episodes, 10), 65_536)
        return B.sum(preambleByteCount, header, B.product(episodes, plannedBlockByteCount(framesPerEpisode: f, dimensions: dimensions)))
    }

    /// Throws naming `path` when such a dataset would not fit on its file system, or its header and one episode
    /// (what a writer holds) not in memory; call it before recording anything.
    public static func checkBudget(path: String, episodes: Int, framesPerEpisode: Int, dimensions: EpisodeDimensions,
                                   mjcfByteCount: Int) throws {
        let oneEpisode = plannedFileByteCount(episodes: 1, framesPerEpisode: framesPerEpisode, dimensions: dimensions,
                                              mjcfByteCount: mjcfByteCount)
        let headerAndSplits = ResourceBudget.product(episodes, 64)
        try ResourceBudget.checkDisk(bytes: plannedFileByteCount(episodes: episodes, framesPerEpisode: framesPerEpisode, dimensions: dimensions,
                                                                 mjcfByteCount: mjcfByteCount), output: path)
        try ResourceBudget.checkMemory(bytes: ResourceBudget.sum(ResourceBudget.product(3, oneEpisode), headerAndSplits),
                                       for: "writing \(episodes) episodes of \(framesPerEpisode) frames", file: path)
    }
}
