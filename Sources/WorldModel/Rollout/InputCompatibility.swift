/// Whether the files a command was given belong together: a model, a field, a dataset and a scene. Each check
/// throws one `WorldModelError` naming the file that does not fit and both values, before any work starts, so a
/// mismatch is never a trap deep inside a rollout.
///
/// What must match: a dataset and a scene, object for object (shape and size), the robot's action size and the
/// control step; a dynamics model and what it runs on, the control step and the robot (a graph network takes
/// any number of objects, the dense baseline only its own); a model resumed on a dataset, exactly its training
/// objects; a field and a scene, one field per object of the same shape.
///
/// ```swift
/// try InputCompatibility.check(dataset: reader.header, file: dataPath, recordedIn: scene, sceneFile: scenePath)
/// try InputCompatibility.check(model: model, file: modelPath, runsOn: scene.objects, robot: scene.robot,
///                              controlDtSeconds: scene.controlDtSeconds, source: scenePath)
/// ```
public enum InputCompatibility {
    /// A dataset used with a scene: the same objects in the same order, the same robot action size and control step.
    public static func check(dataset header: DatasetHeader, file: String, recordedIn scene: SceneDescription, sceneFile: String) throws {
        guard header.objects.count == scene.objects.count else {
            throw WorldModelError(file: file, "holds \(header.objects.count) objects (scene '\(header.sceneName)'), the scene \(sceneFile) has \(scene.objects.count)")
        }
        for (i, (recorded, object)) in zip(header.objects, scene.objects).enumerated() where !sameBody(recorded, object) {
            throw WorldModelError(file: file, "object \(i) is a \(recorded.shape) of half-extents \(recorded.halfExtentsMeters) m, in the scene \(sceneFile) a \(object.shape) of \(object.halfExtentsMeters) m")
        }
        guard header.actionDimension == scene.robot.actionDimension else {
            throw WorldModelError(file: file, "actions have \(header.actionDimension) components, the robot of \(sceneFile) takes \(scene.robot.actionDimension)")
        }
        guard abs(header.controlDtSeconds - scene.controlDtSeconds) < 1e-6 else {
            throw WorldModelError(file: file, "recorded at a \(header.controlDtSeconds) s control step, the scene \(sceneFile) steps \(scene.controlDtSeconds) s")
        }
    }

    /// A dynamics model run on `objects` with `robot` at `controlDtSeconds` (from `source`, a scene or a dataset).
    public static func check(model: DynamicsModel, file: String, runsOn objects: [ObjectDescription], robot: RobotDescription,
                             controlDtSeconds: Double, source: String) throws {
        guard abs(Double(model.dtSeconds) - controlDtSeconds) < 1e-6 else {
            throw WorldModelError(file: file, "trained at a \(model.dtSeconds) s control step, \(source) steps \(controlDtSeconds) s")
        }
        guard model.robot.actionDimension == robot.actionDimension else {
            throw WorldModelError(file: file, "trained for a robot with \(model.robot.actionDimension) action components, the robot of \(source) takes \(robot.actionDimension)")
        }
        guard model.robot.shape == robot.shape else {
            throw WorldModelError(file: file, "trained for a \(model.robot.shape) robot, the robot of \(source) is a \(robot.shape)")
        }
        if model.configuration.kind == .denseMLP, model.trainedObjects.count != objects.count {
            throw WorldModelError(file: file, "is the dense MLP baseline of \(model.trainedObjects.count) objects and cannot take the \(objects.count) of \(source): its input is a fixed-size concatenation of every object's state")
        }
    }

    /// A model whose training continues on a dataset: exactly the objects, robot and control step it was trained on.
    public static func check(resumed model: DynamicsModel, file: String, trainsOn header: DatasetHeader, dataFile: String) throws {
        try check(model: model, file: file, runsOn: header.objects, robot: try header.requireRobot(file: dataFile),
                  controlDtSeconds: header.controlDtSeconds, source: dataFile)
        let trained = model.trainedObjects
        guard trained.count == header.objects.count, zip(trained, header.objects).allSatisfy(sameBody) else {
            throw WorldModelError(file: file, "was trained on \(trained.count) objects (\(shapeList(trained))), the dataset \(dataFile) holds \(header.objects.count) (\(shapeList(header.objects))) of scene '\(header.sceneName)': resume only on the scene a checkpoint was trained on")
        }
    }

    /// A model on a dataset's episodes: each must hold the model's history plus at least one step.
    public static func check(model: DynamicsModel, file: String, historyFits framesPerEpisode: Int, dataFile: String) throws {
        guard framesPerEpisode > model.historyLength + 1 else {
            throw WorldModelError(file: dataFile, "episodes have \(framesPerEpisode) frames, the model \(file) needs \(model.historyLength + 2) (\(model.historyLength) of history and a step)")
        }
    }

    /// A field set used for a scene's objects: one field per object, each of the object's shape and size, and, with
    /// `robot`, every robot link of the set that robot's body.
    public static func check(field: ObjectFieldSet, file: String, rendersObjectsOf objects: [ObjectDescription], robot: RobotDescription? = nil,
                             source: String) throws {
        if let robot, let link = field.robotLinks.first(where: { $0.bodyName != robot.name }) {
            throw WorldModelError(file: file, "has a field of robot body '\(link.bodyName)', the robot of \(source) is '\(robot.name)'")
        }
        let classes = field.description.objectClasses
        guard classes.count == objects.count else {
            throw WorldModelError(file: file, "holds fields for \(classes.count) objects, \(source) has \(objects.count)")
        }
        for (i, (c, object)) in zip(classes, objects).enumerated() {
            guard c >= 0, c < field.description.classes.count else {
                throw WorldModelError(file: file, "object \(i) refers to field class \(c) of \(field.description.classes.count)")
            }
            let fieldClass = field.description.classes[c]
            guard fieldClass.shape == object.shape, close(fieldClass.halfExtentsMeters, object.halfExtentsMeters) else {
                throw WorldModelError(file: file, "object \(i)'s field is a \(fieldClass.shape) of half-extents \(fieldClass.halfExtentsMeters) m, in \(source) a \(object.shape) of \(object.halfExtentsMeters) m")
            }
        }
    }

    private static func sameBody(_ a: ObjectDescription, _ b: ObjectDescription) -> Bool {
        a.shape == b.shape && close(a.halfExtentsMeters, b.halfExtentsMeters)
    }

    private static func close(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0), abs($1)) }
    }

    private static func shapeList(_ objects: [ObjectDescription]) -> String {
        var counts: [(ShapeKind, Int)] = []
        for o in objects {
            if let k = counts.firstIndex(where: { $0.0 == o.shape }) { counts[k].1 += 1 } else { counts.append((o.shape, 1)) }
        }
        return counts.map { "\($0.0) x\($0.1)" }.joined(separator: ", ")
    }
}
