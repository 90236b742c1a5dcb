/**
 * The names of shared-memory regions, and the check that a name a node
 * gives (in `shm_new`, in a message's shared-memory reference, on a direct
 * link) has exactly the form the node APIs create: `/dora-<dataflow>-<node>-
 * <pid>-<n>`. Names come from other processes; a name with `/../` or any
 * other shape would make the runtime read or delete a file of the sender's
 * choice, and a region of another node would let a sender pass off that
 * node's data as its own.
 *
 * @module
 */

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, "_");

/**
 * `/dora-<dataflow id as 32 hex digits>-<node id>-`, unsafe characters
 * replaced. The whole id, not a prefix: UUIDv7 ids start with a timestamp, so
 * dataflows started within a minute share their first 8 digits, and one
 * dataflow's clean-up would unlink another's regions.
 */
export function regionPrefix(dataflowId: string, nodeId: string): string {
  const id = dataflowId.replace(/-/g, "").toLowerCase();
  return `/dora-${safe(id)}-${safe(nodeId)}-`;
}

/** `<pid>-<n>`: what follows the prefix. */
const SUFFIX = /^\d{1,10}-\d{1,10}$/;

/**
 * Whether `name` (with or without the leading `/`) is a region of the node
 * whose {@link regionPrefix} is `prefix`. Node ids may contain `-`, but the
 * suffix is exactly two numbers, so one node's prefix never accepts another
 * node's region.
 *
 * @example
 * ```ts
 * const p = regionPrefix(df, "camera");
 * isRegionOf(`${p}4242-0`, p); // true
 * isRegionOf(`${p}4242-0/../../etc/passwd`, p); // false
 * ```
 */
export function isRegionOf(name: string, prefix: string): boolean {
  const start = name.startsWith("/") ? 0 : 1;
  return name.length - start > prefix.length &&
    name.startsWith(prefix.slice(1), 1 - start) &&
    SUFFIX.test(name.slice(prefix.length - start));
}

/**
 * Why `name` is not a region of `node` (whose prefix is `prefix`), for an
 * error message, or undefined when it is.
 */
export function regionNameProblem(
  name: unknown,
  node: string,
  prefix: string,
): string | undefined {
  if (typeof name === "string" && isRegionOf(name, prefix)) return undefined;
  const shown = typeof name === "string"
    ? JSON.stringify(name.slice(0, 200))
    : typeof name;
  return `shared-memory region ${shown} is not a region of node "${node}" (expected \`${prefix}<pid>-<n>\`)`;
}

/**
 * Whether `name` has the form of a region of some node of dataflow
 * `dataflowId` (for names the runtime already checked against their node).
 */
export function isDataflowRegion(name: string, dataflowId: string): boolean {
  const body = name.startsWith("/") ? name.slice(1) : name;
  const head = regionPrefix(dataflowId, "").slice(1, -1);
  return body.startsWith(head) &&
    /^[A-Za-z0-9_.-]+-\d{1,10}-\d{1,10}$/.test(body.slice(head.length));
}
