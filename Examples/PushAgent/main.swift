// PushAgent: a small agent built on the WorldModel library, written to be read.
//
//   swift run -c release PushAgent models/push.safetensors scenes/push.xml
//
// 1. Opens the same scene twice: as MuJoCo physics and as the learned world model (one line differs).
// 2. Asks both "what happens if I push right for half a second?" and compares the answers.
// 3. Plans with the learned model (MPPI, receding horizon) to push a box to a goal, acting in MuJoCo.
// 4. Saves what each world looks like at the end, side by side, as a PNG.
import WorldModel

let arguments = CommandLine.arguments
let modelPath = arguments.count > 1 ? arguments[1] : "models/push.safetensors"
let scenePath = arguments.count > 2 ? arguments[2] : "scenes/push.xml"

do {
    // 1. Two worlds behind one protocol.
    let real = try MuJoCoEnvironment(scenePath: scenePath)
    let dream = try LearnedEnvironment(modelPath: modelPath, scenePath: scenePath)
    let worlds: [any Environment] = [real, dream]

    // 2. The same seed gives the same start; a rollout answers "what if" without changing the world.
    let push = [SIMD2<Float>](repeating: SIMD2(0.3, 0), count: 25)
    for world in worlds {
        let start = try world.reset(seed: 42)
        let future = try world.rollout(actions: [push])[0]
        let end = future[future.count - 1]
        print("\(type(of: world)): robot \(start.robotPosition.x) -> \(end.robotPosition.x) m, box 0 at \(end.objects[0].position)")
    }

    // 3. Push a box to a goal: plan in the learned model, act in MuJoCo, replan from what MuJoCo shows.
    let task = PushTask.sample(for: real.scene, seed: 3, index: 0)
    var seen = try real.reset(to: task.placement)
    var configuration = PlannerConfiguration(method: .mppi, horizon: 25, samples: 128)
    configuration.bound(by: real.scene.robot)
    let model = try LearnedRolloutModel(world: dream.world, scene: real.scene, maxSamples: configuration.samples, threads: 2)
    let planner = Planner(model: model, configuration: configuration)
    var tracker = DynamicsStateTracker(objectCount: real.scene.objects.count, historyLength: dream.world.dynamics.historyLength,
                                       dtSeconds: dream.world.dynamics.dtSeconds)
    tracker.start(at: seen)
    let goal = PushGoal(objectIndex: task.objectIndex, position: task.goal)
    for step in 1...300 {
        let action = try planner.plan(from: tracker.state, goal: goal)
        seen = try real.step(action: action)
        tracker.advance(to: seen)
        let distance = seen.planarDistance(object: task.objectIndex, to: task.goal)
        if step % 25 == 0 { print("step \(step): box \(task.objectIndex) is \(Int(distance * 1000)) mm from its goal") }
        if distance < 0.02 { print("reached the goal after \(step) steps (\(Double(step) * real.scene.controlDtSeconds) s)"); break }
    }

    // 4. What the teacher and the learned model see now (the learned one started from the teacher's pose).
    dream.reset(to: seen)
    let camera = PinholeCamera.tableOverview
    try PNGFile.write(real.render(camera: camera).besides(dream.render(camera: camera)), to: "/tmp/push-agent.png")
    print("wrote /tmp/push-agent.png (left: MuJoCo, right: learned model)")
    let memory = dream.memoryFootprint
    print("learned model memory: \(memory.parametersBytes) B parameters, \(memory.workspaceBytes) B workspaces, \(memory.stateBytes) B states")
} catch {
    print("PushAgent: \(error)")
}
