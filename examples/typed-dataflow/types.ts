// Typed inputs and outputs of dataflow.yml, written by `dora types generate`.
// Do not edit: regenerate after changing the dataflow or its types/ folder.
// deno-fmt-ignore-file
// deno-lint-ignore-file
import * as arrow from "apache-arrow";
import * as dora from "dora";

/** `std/math/v1/Vector3`: a point or direction in 3D space. */
export type Vector3 = arrow.Struct<{ x: arrow.Float64; y: arrow.Float64; z: arrow.Float64 }>;
/** The Arrow type of `std/math/v1/Vector3`: build values with `dora.vectorOf(Vector3, [...])`. */
export const Vector3: Vector3 = new arrow.Struct([new arrow.Field("x", new arrow.Float64(), true), new arrow.Field("y", new arrow.Float64(), true), new arrow.Field("z", new arrow.Float64(), true)]);

/** `std/control/v1/Twist`: linear (m/s) and angular (rad/s) velocity. */
export type Twist = arrow.Struct<{ linear: Vector3; angular: Vector3 }>;
/** The Arrow type of `std/control/v1/Twist`: build values with `dora.vectorOf(Twist, [...])`. */
export const Twist: Twist = new arrow.Struct([new arrow.Field("linear", Vector3, true), new arrow.Field("angular", Vector3, true)]);

/** `demo/robot/v1/DriveCommand`: a velocity command and why the planner chose it. */
export type DriveCommand = arrow.Struct<{ twist: Twist; target: arrow.Utf8; frame: arrow.Uint64 }>;
/** The Arrow type of `demo/robot/v1/DriveCommand`: build values with `dora.vectorOf(DriveCommand, [...])`. */
export const DriveCommand: DriveCommand = new arrow.Struct([new arrow.Field("twist", Twist, true), new arrow.Field("target", new arrow.Utf8(), true), new arrow.Field("frame", new arrow.Uint64(), true)]);

/** `std/media/v1/Image`: an uncompressed image; data holds height rows of pixels in the given encoding. */
export type Image = arrow.Struct<{ width: arrow.Uint32; height: arrow.Uint32; encoding: arrow.Utf8; data: arrow.LargeBinary }>;
/** The Arrow type of `std/media/v1/Image`: build values with `dora.vectorOf(Image, [...])`. */
export const Image: Image = new arrow.Struct([new arrow.Field("width", new arrow.Uint32(), true), new arrow.Field("height", new arrow.Uint32(), true), new arrow.Field("encoding", new arrow.Utf8(), true), new arrow.Field("data", new arrow.LargeBinary(), true)]);

/** `std/vision/v1/BoundingBox`: an axis-aligned box around a detected object, with its label and score. */
export type BoundingBox = arrow.Struct<{ x: arrow.Float32; y: arrow.Float32; width: arrow.Float32; height: arrow.Float32; confidence: arrow.Float32; label: arrow.Utf8 }>;
/** The Arrow type of `std/vision/v1/BoundingBox`: build values with `dora.vectorOf(BoundingBox, [...])`. */
export const BoundingBox: BoundingBox = new arrow.Struct([new arrow.Field("x", new arrow.Float32(), true), new arrow.Field("y", new arrow.Float32(), true), new arrow.Field("width", new arrow.Float32(), true), new arrow.Field("height", new arrow.Float32(), true), new arrow.Field("confidence", new arrow.Float32(), true), new arrow.Field("label", new arrow.Utf8(), true)]);

/** `std/vision/v1/Detection`: every box found in one image. */
export type Detection = arrow.Struct<{ boxes: arrow.LargeList<BoundingBox> }>;
/** The Arrow type of `std/vision/v1/Detection`: build values with `dora.vectorOf(Detection, [...])`. */
export const Detection: Detection = new arrow.Struct([new arrow.Field("boxes", new arrow.LargeList(new arrow.Field("item", BoundingBox, true)), true)]);

/** The ports of every node of dataflow.yml. */
export type Dataflow = {
  /** `camera` (camera.ts) */
  "camera": {
    inputs: {
      /** a timer: an empty Null array per tick */
      tick: arrow.Null;
    };
    outputs: {
      /** `std/media/v1/Image[encoding=rgb8]` */
      image: Image;
    };
    metadata: {};
  };
  /** `detector` (detector.py) */
  "detector": {
    inputs: {
      /** `std/media/v1/Image[encoding=rgb8]` */
      image: Image;
    };
    outputs: {
      /** `std/vision/v1/Detection` */
      detections: Detection;
    };
    metadata: {};
  };
  /** `planner` (planner.ts) */
  "planner": {
    inputs: {
      /** `std/vision/v1/Detection` (inferred from detector/detections) */
      detections: Detection;
    };
    outputs: {
      /** `demo/robot/v1/DriveCommand` */
      command: DriveCommand;
    };
    metadata: {};
  };
  /** `motor` (motor.py) */
  "motor": {
    inputs: {
      /** `demo/robot/v1/DriveCommand` (inferred from planner/command) */
      command: DriveCommand;
    };
    outputs: {};
    metadata: {};
  };
};

/**
 * Starts this process as node `id` with typed inputs and outputs:
 * `const node = await initNode("camera");`
 */
export const initNode = dora.typedInit<Dataflow>();

/** Node `camera` with typed ports. */
export type CameraNode = dora.TypedNode<Dataflow["camera"]>;
/** Node `detector` with typed ports. */
export type DetectorNode = dora.TypedNode<Dataflow["detector"]>;
/** Node `planner` with typed ports. */
export type PlannerNode = dora.TypedNode<Dataflow["planner"]>;
/** Node `motor` with typed ports. */
export type MotorNode = dora.TypedNode<Dataflow["motor"]>;
