// PushAgent: a small agent built on the WorldModel library, written to be read. Any scene with a body model:
//
//   swift run -c release PushAgent models/push-bodies.safetensors scenes/push.xml
//   swift run -c release PushAgent models/stacker.safetensors /tmp/dmc/dm_control/suite/stacker.xml
//
// 1. Opens the same scene twice: as MuJoCo physics and as the learned world model (one line differs).
// 2. Asks both "what happens if I hold this action for half a second?" and compares the answers.
// 3. Plans with the learned model (MPPI, receding horizon) to move an object to a target, acting in MuJoCo.
// 4. Saves what each world looks like at the end, side by side, as a PNG.
import WorldModel

let arguments = CommandLine.arguments
let modelPath = arguments.count > 1 ? arguments[1] : "models/push-bodies.safetensors"
let scenePath = arguments.count > 2 ? arguments[2] : "scenes/push.xml"

do {
    // 1. Two worlds behind one protocol.
    let real = try MuJoCoEnvironment(scenePath: scenePath)
    let dream = try LearnedEnvironment(modelPath: modelPath)
    let scene = real.sceneModel
    let hand = scene.handBodyIndex ?? 0

    // 2. The same start; a rollout answers "what if" without changing the world.
    let start = try real.reset(seed: 42)
    try dream.reset(to: start)
    let hold = [[Float]](repeating: scene.ctrlHigh.map { $0 * 0.5 }, count: 25)   // half of each actuator's maximum
    for world in [real, dream] as [any Environment] {
        let end = try world.rollout(actions: [hold])[0].last!
        print("\(type(of: world)): hand '\(scene.tree.bodies[hand].name)' from \(start.bodyPositions[hand]) to \(end.bodyPositions[hand]) m")
    }

    // 3. Move an object to a target: plan in the learned model, act in MuJoCo, replan from what MuJoCo shows.
    let kind = TaskKind.default(for: scene)
    let task = try kind.sample(scene: scene, start: try real.reset(seed: 3), seed: 3, index: 0)
    print("task: \(task.summary)")
    let configuration = PlannerConfiguration(method: .mppi, horizon: 20, samples: 64)
    let planner = Planner(model: try LearnedRolloutModel(model: dream.model, maxSamples: configuration.samples, threads: 2),
                          configuration: configuration)
    var tracker = BodyStateTracker(scene: scene, historyLength: dream.model.historyLength)
    var seen = real.observation
    tracker.start(at: seen)
    for step in 1...300 {
        seen = try real.step(action: try planner.plan(from: tracker.state, task: task))
        tracker.advance(to: seen)
        if step % 25 == 0 { print("step \(step): \(Int(task.distance(seen) * 1000)) mm to go") }
        if task.isSolved(seen) { print("done after \(step) steps (\(Double(step) * scene.controlDtSeconds) s)"); break }
    }

    // 4. What the teacher and the learned model see now (the learned one started from the teacher's state).
    try dream.reset(to: seen)
    let camera = PinholeCamera.tableOverview
    try PNGFile.write(real.render(camera: camera).besides(dream.render(camera: camera)), to: "/tmp/push-agent.png")
    print("wrote /tmp/push-agent.png (left: MuJoCo, right: learned model); planning took \(Int(planner.millisecondsPerCall)) ms per step")
} catch {
    print("PushAgent: \(error)")
}
