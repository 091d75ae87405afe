import dagre from '@dagrejs/dagre';
import { type PointerEvent, useEffect, useMemo, useRef, useState, type WheelEvent } from 'react';
import { batchHref } from '../router';

export interface GraphNode {
  readonly batchId: string;
  readonly depth: number;
  readonly label: string;
  /** Facility country where known (mines: from the origins). */
  readonly country: string | null;
  /** Whether a scheme's coverage has a gap at this batch's steps. */
  readonly gap: boolean;
  /** No scheme covers the chain at all. */
  readonly uncertified: boolean;
  readonly mine: boolean;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly consumedKg: number;
  /** The share of the consuming batch's inputs this edge carries. */
  readonly share: number;
}

const NODE_WIDTH = 210;
const NODE_HEIGHT = 52;

/**
 * The provenance DAG, laid out in layers by dagre (mines at the top, the lot at the bottom), in SVG. A
 * stage (depth) can be collapsed into one node; the view pans by dragging and zooms with the wheel or
 * the buttons.
 */
export function ProvenanceGraph({
  nodes,
  edges,
}: {
  nodes: readonly GraphNode[];
  edges: readonly GraphEdge[];
}) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const [view, setView] = useState({ x: 0, y: 0, scale: 1 });
  const drag = useRef<{ x: number; y: number } | undefined>(undefined);
  const depths = [...new Set(nodes.map((node) => node.depth))].sort((a, b) => b - a);

  const layout = useMemo(() => {
    const graph = new dagre.graphlib.Graph({ multigraph: false });
    graph.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 70 });
    graph.setDefaultEdgeLabel(() => ({}));
    const idOf = (node: GraphNode) => (collapsed.has(node.depth) ? `stage:${node.depth}` : node.batchId);
    const shown = new Map<
      string,
      { label: string; sub: string; gap: boolean; uncertified: boolean; batchId?: string; count: number }
    >();
    for (const node of nodes) {
      const id = idOf(node);
      const known = shown.get(id);
      if (known) shown.set(id, { ...known, count: known.count + 1, gap: known.gap || node.gap });
      else
        shown.set(id, {
          label: collapsed.has(node.depth) ? `Stage ${node.depth}` : node.batchId,
          sub: collapsed.has(node.depth) ? '' : `${node.label}${node.country ? ` · ${node.country}` : ''}`,
          gap: node.gap,
          uncertified: node.uncertified,
          count: 1,
          ...(collapsed.has(node.depth) ? {} : { batchId: node.batchId }),
        });
    }
    for (const [id, data] of shown)
      graph.setNode(id, {
        ...data,
        sub: data.batchId ? data.sub : `${data.count} batches`,
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
      });
    const labels = new Map<string, string[]>();
    for (const edge of edges) {
      const from = nodes.find((node) => node.batchId === edge.from);
      const to = nodes.find((node) => node.batchId === edge.to);
      if (!from || !to) continue;
      const key = `${idOf(from)}\u0000${idOf(to)}`;
      if (idOf(from) === idOf(to)) continue;
      const text = `${edge.consumedKg.toLocaleString('en')} kg · ${(edge.share * 100).toFixed(1)} %`;
      labels.set(key, [...(labels.get(key) ?? []), text]);
      graph.setEdge(idOf(from), idOf(to), { width: 120, height: 16, labelpos: 'c' });
    }
    dagre.layout(graph);
    return { graph, labels };
  }, [nodes, edges, collapsed]);

  const { graph, labels } = layout;
  const size = graph.graph() as { width?: number; height?: number };
  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    drag.current = { x: event.clientX - view.x, y: event.clientY - view.y };
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    if (drag.current)
      setView({ ...view, x: event.clientX - drag.current.x, y: event.clientY - drag.current.y });
  };
  const zoom = (factor: number) =>
    setView({ ...view, scale: Math.min(4, Math.max(0.1, view.scale * factor)) });
  const onWheel = (event: WheelEvent<SVGSVGElement>) => zoom(event.deltaY < 0 ? 1.1 : 1 / 1.1);
  const fit = () => {
    const box = { width: size.width ?? 1, height: size.height ?? 1 };
    const scale = Math.min(1, 1100 / box.width, 500 / box.height);
    setView({ x: 10, y: 10, scale });
  };
  // A new layout (another lot, a stage collapsed) starts fitted to the frame.
  useEffect(fit, [layout]);

  return (
    <div>
      <div role="toolbar" aria-label="Graph controls">
        <button type="button" onClick={() => zoom(1.25)}>
          Zoom in
        </button>{' '}
        <button type="button" onClick={() => zoom(0.8)}>
          Zoom out
        </button>{' '}
        <button type="button" onClick={fit}>
          Fit
        </button>{' '}
        {depths.map((depth) => (
          <label key={depth} style={{ marginLeft: '0.6rem' }}>
            <input
              type="checkbox"
              checked={collapsed.has(depth)}
              onChange={() => {
                const next = new Set(collapsed);
                if (next.has(depth)) next.delete(depth);
                else next.add(depth);
                setCollapsed(next);
              }}
            />{' '}
            collapse stage {depth}
          </label>
        ))}
      </div>
      <svg
        className="graph"
        data-testid="provenance-graph"
        role="img"
        aria-label={`Provenance graph: ${nodes.length} batches, ${edges.length} inputs`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => (drag.current = undefined)}
        onWheel={onWheel}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" fill="#57606a" />
          </marker>
        </defs>
        <g transform={`translate(${view.x},${view.y}) scale(${view.scale})`}>
          {graph.edges().map((edge) => {
            const data = graph.edge(edge) as { points?: { x: number; y: number }[]; x?: number; y?: number };
            const points = data.points ?? [];
            const text = labels.get(`${edge.v}\u0000${edge.w}`) ?? [];
            return (
              <g key={`${edge.v}-${edge.w}`} data-testid="graph-edge" data-from={edge.v} data-to={edge.w}>
                <polyline
                  points={points.map((point) => `${point.x},${point.y}`).join(' ')}
                  fill="none"
                  stroke="#57606a"
                  markerEnd="url(#arrow)"
                />
                {data.x !== undefined && (
                  <text x={data.x} y={data.y} fontSize={11} textAnchor="middle" className="edge-label">
                    {text.length === 1 ? text[0] : `${text.length} inputs`}
                  </text>
                )}
              </g>
            );
          })}
          {graph.nodes().map((id) => {
            const node = graph.node(id) as unknown as {
              x: number;
              y: number;
              label: string;
              sub: string;
              gap: boolean;
              uncertified: boolean;
              batchId?: string;
            };
            const body = (
              <g transform={`translate(${node.x - NODE_WIDTH / 2},${node.y - NODE_HEIGHT / 2})`}>
                <rect
                  width={NODE_WIDTH}
                  height={NODE_HEIGHT}
                  rx={6}
                  fill={node.gap ? '#fff8c5' : '#ddf4ff'}
                  stroke={node.gap ? '#9a6700' : '#0969da'}
                  strokeDasharray={node.gap ? '5 3' : undefined}
                />
                <text x={8} y={20} fontSize={12} fontWeight={600}>
                  {node.label}
                </text>
                <text x={8} y={38} fontSize={11}>
                  {node.sub}
                  {node.uncertified
                    ? ' · no certification'
                    : node.gap
                      ? ' · ⚠ certification gap'
                      : ' · ✓ covered'}
                </text>
              </g>
            );
            return (
              <g key={id} data-testid="graph-node" data-batch-id={node.batchId ?? id}>
                {node.batchId ? <a href={batchHref(node.batchId)}>{body}</a> : body}
              </g>
            );
          })}
        </g>
      </svg>
    </div>
  );
}
