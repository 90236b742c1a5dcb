/**
 * A list picker for a terminal: ↑/k and ↓/j move, Enter chooses, q / Esc /
 * Ctrl-C cancel.
 *
 * @module
 */
import { useColor } from "../_output.ts";
import { type Key, Screen, style } from "./terminal.ts";

/**
 * Lets the user pick one of `items` (shown by `label`); resolves with its
 * index, or undefined when cancelled.
 */
export function pick<T>(
  title: string,
  items: T[],
  label: (item: T) => string,
): Promise<number | undefined> {
  const color = useColor();
  const screen = new Screen();
  let selected = 0;
  const { promise, resolve } = Promise.withResolvers<number | undefined>();
  const render = () =>
    screen.draw([
      style.bold(title, color),
      "",
      ...items.map((item, i) => {
        const line = `${i === selected ? ">" : " "} ${label(item)}`;
        return i === selected ? style.reverse(line, color) : line;
      }),
      "",
      style.dim("↑/↓ or j/k to move, Enter to choose, q to cancel", color),
    ]);
  const finish = (value: number | undefined) => {
    screen.close();
    resolve(value);
  };
  render();
  screen.readKeys((key: Key) => {
    if (key === "up" || key === "k") selected = Math.max(0, selected - 1);
    else if (key === "down" || key === "j") {
      selected = Math.min(items.length - 1, selected + 1);
    } else if (key === "enter") return finish(selected);
    else if (key === "q" || key === "escape" || key === "ctrl-c") {
      return finish(undefined);
    } else if (/^[1-9]$/.test(key) && Number(key) <= items.length) {
      return finish(Number(key) - 1);
    }
    render();
  });
  return promise;
}
