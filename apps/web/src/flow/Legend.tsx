/**
 * What the colours mean. It sits in the graph's toolbar, outside the canvas, so it never covers a
 * node; the SVG export draws its own copy (see export/svg-scene.ts).
 */
export function Legend({ heat }: { heat: boolean }) {
  return (
    <div className="legend" role="list" aria-label="Legend">
      <span role="listitem" className="lg lg-hook">hook</span>
      <span role="listitem" className="lg lg-chain">chain</span>
      <span role="listitem" className="lg lg-service">Service</span>
      <span role="listitem" className="lg lg-endpoint">endpoint</span>
      <span role="listitem" className="lg lg-verdict">verdict</span>
      <span role="listitem" className="lg lg-lit">traced</span>
      <span role="listitem" className="lg lg-affinity">returning client</span>
      <span role="listitem" className="lg lg-evidence">evidence</span>
      {heat && <span role="listitem" className="lg lg-heat">packets counted</span>}
      {heat && <span role="listitem" className="lg lg-died">died</span>}
    </div>
  );
}
