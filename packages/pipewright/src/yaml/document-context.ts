import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import type { SourceLocation, ValidationIssue } from "../errors.js";

/** A path into the document: mapping keys and list indexes. */
export type Path = readonly PropertyKey[];

/** The parsed document, its plain value, and how to point at a path in it. */
export class Context {
  constructor(
    readonly doc: Document,
    /** The text the document was parsed from. */
    readonly source: string,
    readonly data: unknown,
    readonly at: (offset: number) => SourceLocation,
    /** Scalars whose placeholders failed: already reported, so their schema problems are not. */
    readonly broken: ReadonlySet<unknown>,
  ) {}

  /** The node at `path`, or the deepest existing one on the way (the parent mapping of a missing key). */
  node(path: Path): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      const next = isMap(node) ? this.pair(node, key)?.value : isSeq(node) && typeof key === "number" ? node.items[key] : undefined;
      if (next == null) break;
      node = next;
    }
    return node as Node | undefined;
  }

  /** The key node of `key` in the mapping at `path`, or the mapping. */
  keyNode(path: Path, key: string): Node | undefined {
    const map = this.node(path);
    const pair = isMap(map) ? this.pair(map, key) : undefined;
    return isScalar(pair?.key) ? pair.key : map;
  }

  /** Pairs by key, indexed once per mapping: a file with thousands of bad keys stays fast to report. */
  private pair(map: YAMLMap, key: PropertyKey): Pair | undefined {
    let index = this.pairs.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) if (isScalar(pair.key) && !index.has(pair.key.value)) index.set(pair.key.value, pair);
      this.pairs.set(map, index);
    }
    return index.get(key);
  }

  private readonly pairs = new WeakMap<YAMLMap, Map<unknown, Pair>>();

  locate(node: Node | undefined): SourceLocation {
    return this.at(node?.range?.[0] ?? 0);
  }

  /** An issue at `node` (at `offset` in the source, when given), or none when that node's placeholders were already reported. */
  issue(node: Node | undefined, message: string, offset?: number): ValidationIssue[] {
    return this.broken.has(node) ? [] : [{ message, location: offset === undefined ? this.locate(node) : this.at(offset) }];
  }

  value(path: Path): unknown {
    let value = this.data;
    for (const key of path) {
      if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
      value = (value as Record<PropertyKey, unknown>)[key];
    }
    return value;
  }
}
