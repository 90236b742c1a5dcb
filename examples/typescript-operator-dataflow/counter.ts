// Counts timer ticks and sends 1, 2, …, 20 with a `seq` parameter; then
// returns STOP: its output closes, and so does everything downstream.
import { DoraStatus, type OperatorEvent, type SendOutput } from "dora";

const TOTAL = 20;

export class Operator {
  count = 0;

  onEvent(event: OperatorEvent, sendOutput: SendOutput): DoraStatus {
    if (event.type !== "INPUT") return DoraStatus.CONTINUE;
    this.count++;
    sendOutput("count", new BigInt64Array([BigInt(this.count)]), {
      seq: this.count,
    });
    if (this.count === TOTAL) {
      console.log(`sent ${TOTAL} counts`);
      return DoraStatus.STOP;
    }
    return DoraStatus.CONTINUE;
  }
}
