// Metric extraction: pure functions from a run's arrays to its derived numbers (no I/O).
export { extractCnp, type CnpExtremum, type CnpFlag, type CnpOptions, type CnpLegResult, type CnpResult } from "./cnp.js";
export { extractPhotoresponse, type PhotoresponseFlag, type PhotoresponseOptions, type PhotoresponseResult } from "./photoresponse.js";
export {
  matchCalibration,
  interpolateCurve,
  type LaserCalibrationRun,
  type LightRun,
  type CalibrationStatus,
  type CalibrationFlag,
  type CalibrationMatch,
  type CalibrationOptions,
} from "./calibration.js";
export { splitSweepLegs, type SweepLeg } from "./sweep-legs.js";
export { fitParabola, type ParabolaFit } from "./fit-parabola.js";
