// Doubles each count it gets from `counter` (an operator of the same node:
// the value arrives in-process) and keeps the `seq` parameter.
import { DoraStatus, type OperatorEvent, type SendOutput } from "dora";

export class Operator {
  onEvent(event: OperatorEvent, sendOutput: SendOutput): DoraStatus {
    if (event.type === "INPUT") {
      const n = event.value.get(0) as bigint;
      sendOutput(
        "doubled",
        new BigInt64Array([n * 2n]),
        event.metadata.parameters,
      );
    }
    return DoraStatus.CONTINUE;
  }
}
