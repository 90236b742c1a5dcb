/**
 * The elvish completion script (@bomb.sh/tab has none): like the other
 * shells' scripts, it asks the hidden `dora complete -- <words>` for
 * candidates (`value<TAB>description` lines, then `:<directive>`; directive
 * bit 4 = no file names).
 *
 * @module
 */

/** The script for the program `name`. */
export function elvishCompletion(name: string): string {
  return SCRIPT.replaceAll("dora", name);
}

const SCRIPT =
  `# elvish completion for dora: asks \`dora complete -- <words>\` (the live
# command tree) for candidates. Add to ~/.config/elvish/rc.elv:
#   eval (dora completion elvish | slurp)
use str
use math

set edit:completion:arg-completer[dora] = {|@words|
  var lines = [(dora complete -- (all $words[1..]) 2>/dev/null)]
  if (== (count $lines) 0) { return }
  var directive = 0
  if (str:has-prefix $lines[-1] ':') {
    set directive = (num (str:trim-prefix $lines[-1] ':'))
    set lines = $lines[..-1]
  }
  for line $lines {
    if (eq $line '') { continue }
    var parts = [(str:split "\\t" $line)]
    if (> (count $parts) 1) {
      edit:complex-candidate $parts[0] &display=$parts[0]' ('$parts[1]')'
    } else {
      edit:complex-candidate $parts[0]
    }
  }
  # Directive bit 4: no file names; otherwise offer them as well.
  if (== (% (math:floor (/ $directive 4)) 2) 0) {
    edit:complete-filename $words[-1]
  }
}
`;
