/**
 * Reports as Graphviz DOT: the wait-for graph of a report (threads as ellipses, resources as
 * boxes, cycle edges in red), or of a kernel now.
 *
 * Interface: reportToDot(report), waitGraphDot(kernel).
 * Invariant: the same report gives the same DOT, byte for byte.
 */
import type { KernelCore as Kernel } from '../kernel/kernel.ts';
import { buildReport, type Report, type ResourceRef } from './report.ts';

/**
 * The report's wait-for graph in Graphviz DOT: threads are ellipses, resources boxes; an edge
 * thread → resource for each wait, resource → thread for each owner; cycle edges in red.
 *
 * @example
 * fs.writeFileSync('deadlock.dot', reportToDot(error.report)); // dot -Tsvg deadlock.dot
 */
export function reportToDot(r: Report): string {
  const q = (s: string): string =>
    `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const red = new Set<string>();
  for (const c of r.cycles) {
    for (const s of c) {
      red.add(`t${s.thread.id}->r${s.waitsFor.id}`);
      red.add(`r${s.waitsFor.id}->t${s.heldBy.id}`);
    }
  }
  const lines = [
    `digraph ${q(`${r.kernel} wait-for graph`)} {`,
    '  rankdir=LR;',
    '  node [fontname="monospace"];',
  ];
  const resources = new Map<number, ResourceRef>();
  const edges: string[] = [];
  const edge = (from: string, to: string, label: string): void => {
    const hot = red.has(`${from}->${to}`);
    edges.push(
      `  ${from} -> ${to} [label=${q(label)}${hot ? ', color=red, fontcolor=red, penwidth=2' : ''}];`,
    );
  };
  const listed = new Set(r.threads.map((t) => t.id));
  for (const t of r.threads) {
    lines.push(
      `  t${t.id} [shape=ellipse, label=${q(`${t.name}#${t.id}\n${t.kind} prio ${t.priority}\n${t.state}`)}];`,
    );
    if (t.waits?.resource != null) {
      resources.set(t.waits.resource.id, t.waits.resource);
      edge(`t${t.id}`, `r${t.waits.resource.id}`, `waits (${t.waits.kind})`);
      for (const o of t.waits.owners)
        if (listed.has(o.id)) edge(`r${t.waits.resource.id}`, `t${o.id}`, 'held by');
    }
    for (const h of t.holds) {
      resources.set(h.id, h);
      edge(`r${h.id}`, `t${t.id}`, 'held by');
    }
  }
  for (const [id, rr] of [...resources].sort((a, b) => a[0] - b[0]))
    lines.push(`  r${id} [shape=box, label=${q(`${rr.kind}\n${rr.name}`)}];`);
  return [...lines, ...[...new Set(edges)], '}'].join('\n');
}

/**
 * DOT of `kernel`'s wait-for graph now (no backtraces).
 *
 * @example
 * console.log(waitGraphDot(kernel));
 */
export function waitGraphDot(kernel: Kernel): string {
  return reportToDot(buildReport(kernel, { kind: 'dump', backtraces: false }));
}
