import type { Json } from "pipewright";
import { PermanentError } from "pipewright";
import { z } from "zod";
import { restoreSnapshot, type UndoHandle } from "../undo/undo-snapshot.js";
import { labCommand } from "./lab-command.js";

/**
 * `undo_command`: the rollback of every lab step that writes files (stage, histories, metrics). The
 * step's output names its snapshot (`undo`); this puts the step's outputs back as they were before it ran.
 * @example rollback: { command: undo_command }
 */
export const undo_command = labCommand(z.object({}), async (_args, ctx) => {
  const output = ctx.outputs[ctx.stepName] as { undo?: UndoHandle } | null | undefined;
  if (output?.undo === undefined) throw new PermanentError(`step "${ctx.stepName}" recorded no snapshot to undo`);
  const { restored, removed } = await restoreSnapshot(output.undo);
  ctx.log(`restored ${restored} file(s) or folder(s), removed ${removed} created folder(s)`);
  return { restored, removed } satisfies Json;
});
