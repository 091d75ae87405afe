import dagre from '@dagrejs/dagre';
import {
  type KeyboardEvent,
  type PointerEvent,
  useEffect,
  useMemo,
  useRef,
  useState,
  type WheelEvent,
} from 'react';
import { batchHref } from '../router';

/** A batch of the graph, as `GET /batches/{id}/provenance/graph` returns it. */
export interface GraphNode {
  readonly batchId: string;
  readonly depth: number;
  readonly distance: number;
  readonly form: string | null;
  readonly massKg: number | null;
  readonly site: {
    readonly orgId: string | null;
    readonly facilityId: string | null;
    readonly country: string | null;
  } | null;
  /** Each scheme of the lot's certification and this batch's uncovered steps; null for descendants. */
  readonly certification:
    | readonly {
        readonly scheme: string;
        readonly covered: boolean;
        readonly gaps: readonly { readonly step: string; readonly reason: string }[];
      }[]
    | null;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly transformationId: string;
  readonly consumedKg: number;
  /** The share of the consuming batch's inputs this edge carries. */
  readonly share: number;
}

export interface GraphData {
  readonly batchId: string;
  readonly direction: 'ancestors' | 'descendants';
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Above this many batches a graph starts with its crowded stages collapsed into one node each… */
const COLLAPSE_ABOVE = 60;
/** …a stage is crowded above this many; expanded, a crowded stage shows its batches by what they fed. */
const STAGE_LIMIT = 24;
const NODE_WIDTH = 230;
const NODE_HEIGHT = 62;
const FRAME = { width: 1100, height: 520 };
const PAN_STEP = 80;

type Coverage = 'covered' | 'gap' | 'none' | 'unknown';

interface Shown {
  readonly id: string;
  readonly kind: 'batch' | 'stage' | 'group';
  readonly title: string;
  readonly sub: string;
  readonly count: number;
  readonly gaps: number;
  readonly coverage: Coverage;
  readonly stage: number;
  readonly batchId?: string;
  readonly mark: string;
}

const coverageOf = (node: GraphNode): Coverage => {
  if (node.certification === null) return 'unknown';
  if (node.certification.length === 0) return 'none';
  return node.certification.every((scheme) => scheme.covered) ? 'covered' : 'gap';
};

/** The text mark beside the colour, so a gap is never shown by colour alone. */
const markOf = (node: GraphNode): string => {
  const coverage = coverageOf(node);
  if (coverage === 'unknown') return '';
  if (coverage === 'none') return '○ no certification';
  const gaps = (node.certification ?? []).filter((scheme) => !scheme.covered);
  if (gaps.length === 0)
    return `✓ ${(node.certification ?? []).map((scheme) => scheme.scheme).join(', ')} covered`;
  const steps = [
    ...new Set(gaps.flatMap((scheme) => scheme.gaps.map((gap) => gap.step.replace(/^Batch/, '')))),
  ];
  return `⚠ gap: ${gaps.map((scheme) => scheme.scheme).join(', ')} (${steps.join(', ')})`;
};

const kg = (value: number) => `${value.toLocaleString('en', { maximumFractionDigits: 1 })} kg`;

/**
 * A lot's provenance DAG (or its descendants), laid out in layers by dagre (mines at the top, the lot at
 * the bottom), in SVG. A graph of more than COLLAPSE_ABOVE batches starts with each crowded stage (more
 * than STAGE_LIMIT batches) as one node; an expanded crowded stage shows its batches grouped by the batch
 * they fed, each group expandable. Nodes and groups are links or buttons (Tab, Enter); the view pans with
 * the arrow keys or the pan buttons, or by dragging, and zooms with + / − or the wheel.
 */
export function ProvenanceGraph({ graph, label }: { graph: GraphData; label: string }) {
  const stageOf = useMemo(
    () => (node: GraphNode) => (graph.direction === 'ancestors' ? node.depth : node.distance),
    [graph],
  );
  const stages = useMemo(() => {
    const sizes = new Map<number, number>();
    for (const node of graph.nodes) sizes.set(stageOf(node), (sizes.get(stageOf(node)) ?? 0) + 1);
    return sizes;
  }, [graph, stageOf]);
  const crowded = useMemo(
    () =>
      new Set(
        graph.nodes.length > COLLAPSE_ABOVE
          ? [...stages].filter(([, size]) => size > STAGE_LIMIT).map(([stage]) => stage)
          : [],
      ),
    [graph, stages],
  );
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(crowded);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    setCollapsed(crowded);
    setExpanded(new Set());
  }, [crowded]);
  const [view, setView] = useState({ x: 0, y: 0, scale: 1 });
  const drag = useRef<{ x: number; y: number } | undefined>(undefined);

  const layout = useMemo(() => {
    const byId = new Map(graph.nodes.map((node) => [node.batchId, node]));
    // What each batch fed (ancestors) or was made from (descendants), towards the lot: its group's key.
    const toward = new Map<string, string>();
    for (const edge of graph.edges) {
      if (graph.direction === 'ancestors') {
        if (!toward.has(edge.from)) toward.set(edge.from, edge.to);
      } else if (!toward.has(edge.to)) toward.set(edge.to, edge.from);
    }
    const groupOf = (node: GraphNode) => `group:${stageOf(node)}:${toward.get(node.batchId) ?? ''}`;
    const groupSizes = new Map<string, number>();
    for (const node of graph.nodes)
      if (crowded.has(stageOf(node))) groupSizes.set(groupOf(node), (groupSizes.get(groupOf(node)) ?? 0) + 1);
    const idOf = (node: GraphNode): string => {
      const stage = stageOf(node);
      if (collapsed.has(stage)) return `stage:${stage}`;
      const group = groupOf(node);
      if (crowded.has(stage) && (groupSizes.get(group) ?? 0) > 1 && !expanded.has(group)) return group;
      return node.batchId;
    };
    const shown = new Map<string, Shown & { countries: Set<string>; forms: Set<string>; massKg: number }>();
    const ids = new Map<string, string>();
    for (const node of graph.nodes) {
      const id = idOf(node);
      ids.set(node.batchId, id);
      const gap = coverageOf(node) === 'gap' ? 1 : 0;
      const known = shown.get(id);
      if (known) {
        known.countries.add(node.site?.country ?? '?');
        if (node.form) known.forms.add(node.form);
        shown.set(id, {
          ...known,
          count: known.count + 1,
          gaps: known.gaps + gap,
          massKg: known.massKg + (node.massKg ?? 0),
        });
        continue;
      }
      const kind = id === node.batchId ? 'batch' : id.startsWith('stage:') ? 'stage' : 'group';
      shown.set(id, {
        id,
        kind,
        title: node.batchId,
        sub: [
          node.form,
          node.site ? `${node.site.facilityId ?? 'site withheld'} · ${node.site.country ?? '?'}` : null,
        ]
          .filter(Boolean)
          .join(' · '),
        count: 1,
        gaps: gap,
        coverage: coverageOf(node),
        stage: stageOf(node),
        mark: markOf(node),
        countries: new Set([node.site?.country ?? '?']),
        forms: new Set(node.form ? [node.form] : []),
        massKg: node.massKg ?? 0,
        ...(kind === 'batch' ? { batchId: node.batchId } : {}),
      });
    }
    const dag = new dagre.graphlib.Graph({ multigraph: false });
    dag.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 70 });
    dag.setDefaultEdgeLabel(() => ({}));
    for (const [id, data] of shown) {
      const cluster = data.kind !== 'batch';
      const fed = id.split(':').slice(2).join(':');
      const title = cluster
        ? data.kind === 'stage'
          ? `Stage ${data.stage}: ${data.count.toLocaleString('en')} batches`
          : `${data.count.toLocaleString('en')} batches → ${fed}`
        : data.title;
      const sub = cluster
        ? `${[...data.forms].join(', ')} · ${[...data.countries].sort().join(', ')} · ${kg(data.massKg)}`
        : data.sub;
      const mark = cluster
        ? data.coverage === 'unknown'
          ? ''
          : data.gaps > 0
            ? `⚠ ${data.gaps.toLocaleString('en')} with certification gaps`
            : data.coverage === 'none'
              ? '○ no certification'
              : '✓ all covered'
        : data.mark;
      dag.setNode(id, {
        ...data,
        title,
        sub,
        mark,
        gap: cluster ? data.gaps > 0 : data.coverage === 'gap',
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
      });
    }
    const links = new Map<string, { count: number; kg: number; share: number }>();
    for (const edge of graph.edges) {
      const from = ids.get(edge.from);
      const to = ids.get(edge.to);
      if (!from || !to || from === to || !byId.has(edge.from)) continue;
      const key = `${from}\u0000${to}`;
      const known = links.get(key);
      links.set(key, {
        count: (known?.count ?? 0) + 1,
        kg: (known?.kg ?? 0) + edge.consumedKg,
        share: (known?.share ?? 0) + edge.share,
      });
      if (!known) dag.setEdge(from, to, { width: 130, height: 16, labelpos: 'c' });
    }
    dagre.layout(dag);
    return { dag, links };
  }, [graph, collapsed, expanded, crowded, stageOf]);

  const { dag, links } = layout;
  const size = dag.graph() as { width?: number; height?: number };
  const fit = () => {
    const scale = Math.min(1, FRAME.width / (size.width ?? 1), FRAME.height / (size.height ?? 1));
    setView({ x: 10, y: 10, scale });
  };
  // A new layout (another lot, a stage collapsed) starts fitted to the frame.
  useEffect(fit, [layout]);
  const zoom = (factor: number) =>
    setView((now) => ({ ...now, scale: Math.min(4, Math.max(0.05, now.scale * factor)) }));
  const pan = (dx: number, dy: number) => setView((now) => ({ ...now, x: now.x + dx, y: now.y + dy }));
  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [PAN_STEP, 0],
      ArrowRight: [-PAN_STEP, 0],
      ArrowUp: [0, PAN_STEP],
      ArrowDown: [0, -PAN_STEP],
    };
    const move = moves[event.key];
    if (move) pan(...move);
    else if (event.key === '+' || event.key === '=') zoom(1.25);
    else if (event.key === '-') zoom(0.8);
    else return;
    event.preventDefault();
  };
  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if ((event.target as Element).closest('a, [role=button]')) return;
    drag.current = { x: event.clientX - view.x, y: event.clientY - view.y };
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const start = drag.current;
    if (start) setView((now) => ({ ...now, x: event.clientX - start.x, y: event.clientY - start.y }));
  };
  const onWheel = (event: WheelEvent<SVGSVGElement>) => zoom(event.deltaY < 0 ? 1.1 : 1 / 1.1);
  const toggleStage = (stage: number) => {
    const next = new Set(collapsed);
    if (next.has(stage)) next.delete(stage);
    else next.add(stage);
    setCollapsed(next);
  };
  const open = (id: string) => {
    if (id.startsWith('stage:')) toggleStage(Number(id.slice('stage:'.length)));
    else setExpanded(new Set([...expanded, id]));
  };
  const stageList = [...stages.keys()].sort((a, b) => (graph.direction === 'ancestors' ? a - b : b - a));

  return (
    <div data-testid={`graph-${graph.direction}`}>
      <div role="toolbar" aria-label={`${label}: controls`} className="graph-controls">
        <button type="button" onClick={() => zoom(1.25)} aria-label="Zoom in">
          Zoom +
        </button>{' '}
        <button type="button" onClick={() => zoom(0.8)} aria-label="Zoom out">
          Zoom −
        </button>{' '}
        <button type="button" onClick={fit}>
          Fit
        </button>{' '}
        <button type="button" onClick={() => pan(PAN_STEP, 0)} aria-label="Pan left">
          ←
        </button>
        <button type="button" onClick={() => pan(0, PAN_STEP)} aria-label="Pan up">
          ↑
        </button>
        <button type="button" onClick={() => pan(0, -PAN_STEP)} aria-label="Pan down">
          ↓
        </button>
        <button type="button" onClick={() => pan(-PAN_STEP, 0)} aria-label="Pan right">
          →
        </button>
        {stageList.map((stage) => (
          <label key={stage} style={{ marginLeft: '0.6rem' }}>
            <input
              type="checkbox"
              checked={collapsed.has(stage)}
              onChange={() => toggleStage(stage)}
              data-testid="collapse-stage"
              data-stage={stage}
            />{' '}
            collapse stage {stage} ({(stages.get(stage) ?? 0).toLocaleString('en')})
          </label>
        ))}
      </div>
      <p className="graph-legend">
        ✓ every step covered · ⚠ a certification gap (dashed outline) · ○ no scheme certifies the chain. Arrow
        keys pan, + and − zoom when the graph has focus; Enter opens a stage or a group.
      </p>
      <svg
        className="graph"
        data-testid="provenance-graph"
        data-direction={graph.direction}
        role="group"
        tabIndex={0}
        aria-label={`${label}: ${graph.nodes.length.toLocaleString('en')} batches, ${graph.edges.length.toLocaleString('en')} inputs; ${dag.nodeCount()} shown`}
        onKeyDown={onKeyDown}
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
          {dag.edges().map((edge) => {
            const data = dag.edge(edge) as { points?: { x: number; y: number }[]; x?: number; y?: number };
            const link = links.get(`${edge.v}\u0000${edge.w}`);
            const text = !link
              ? ''
              : link.count === 1
                ? `${kg(link.kg)} · ${(link.share * 100).toFixed(1)} %`
                : `${link.count.toLocaleString('en')} inputs · ${kg(link.kg)}`;
            return (
              <g key={`${edge.v}-${edge.w}`} data-testid="graph-edge" data-from={edge.v} data-to={edge.w}>
                <polyline
                  points={(data.points ?? []).map((point) => `${point.x},${point.y}`).join(' ')}
                  fill="none"
                  stroke="#57606a"
                  markerEnd="url(#arrow)"
                />
                {data.x !== undefined && (
                  <text x={data.x} y={data.y} fontSize={11} textAnchor="middle" className="edge-label">
                    {text}
                  </text>
                )}
              </g>
            );
          })}
          {dag.nodes().map((id) => {
            const node = dag.node(id) as unknown as Shown & { x: number; y: number; gap: boolean };
            const body = (
              <g transform={`translate(${node.x - NODE_WIDTH / 2},${node.y - NODE_HEIGHT / 2})`}>
                <rect
                  width={NODE_WIDTH}
                  height={NODE_HEIGHT}
                  rx={6}
                  fill={node.gap ? '#fff8c5' : node.kind === 'batch' ? '#ddf4ff' : '#eaeef2'}
                  stroke={node.gap ? '#9a6700' : '#0969da'}
                  strokeWidth={node.kind === 'batch' ? 1 : 2}
                  strokeDasharray={node.gap ? '5 3' : undefined}
                />
                <text x={8} y={18} fontSize={12} fontWeight={600}>
                  {node.kind === 'batch' ? '' : '⊞ '}
                  {node.title}
                </text>
                <text x={8} y={35} fontSize={11}>
                  {node.sub}
                </text>
                <text x={8} y={52} fontSize={11} data-testid="graph-mark">
                  {node.mark}
                </text>
              </g>
            );
            if (node.batchId)
              return (
                <g
                  key={id}
                  data-testid="graph-node"
                  data-batch-id={node.batchId}
                  data-gap={node.gap ? 'true' : 'false'}
                >
                  {/* Named by its own text (the lot, its site, its certification mark): a separate label
                      would not read as what is shown (axe: label-content-name-mismatch). */}
                  <a href={batchHref(node.batchId)}>{body}</a>
                </g>
              );
            const action = node.kind === 'stage' ? `Expand stage ${node.stage}` : 'Expand';
            return (
              <g
                key={id}
                data-testid="graph-cluster"
                data-cluster={id}
                data-count={node.count}
                data-gaps={node.gaps}
                role="button"
                tabIndex={0}
                aria-label={`${action}: ${node.title}. ${node.mark}`}
                style={{ cursor: 'pointer' }}
                onClick={() => open(id)}
                onKeyDown={(event) => {
                  if (event.key !== 'Enter' && event.key !== ' ') return;
                  event.preventDefault();
                  event.stopPropagation();
                  open(id);
                }}
              >
                {body}
              </g>
            );
          })}
        </g>
      </svg>
    </div>
  );
}
