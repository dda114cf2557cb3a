export { labelPoint, roundedPath, type Point } from './edge-path';
export { edgeLabelText, fromElk, layoutHolds, toElk, type ElkInputNode, type Layout, type LayoutBox } from './elk-input';
export { absoluteBoxes, boundsOf, initialViewport, type FitOptions, type Viewport } from './initial-viewport';
export { isMasqueradeSide, mainPath } from './main-path';
export { estimateText, FONTS, type MeasureText, type TextFont } from './measure';
export { kindText, MAX_BADGES, nodeSize } from './node-size';
export { withOutsideLanes } from './outside-lane';
// layoutWithElk (ELK itself, 1.5 MB) is its own entry, @svcpath/layout/elk, so importing the pure parts never brings it.
