// A "Maybe you?" photo's face, close up: the aligned chip the face stage cut from the original
// (dlib's 150 px chip, media/faces). The original is never blurred, so a face that must not be
// published, near enough to show at the chip's edge, rules the close-up out.

type Box = readonly [x: number, y: number, width: number, height: number];

/**
 * How far around its box a face's close-up may reach, as a multiple of the box: the chip pads the
 * landmarks by a quarter of their span on each side (1.5 times the face), and turns with a tilted
 * face, reaching 1.5 x √2 ≈ 2.12 times it at 45°.
 */
export const CLOSE_UP_REACH = 2.2;

/** `box` grown `times` about its centre. */
const around = ([x, y, w, h]: Box, times: number): Box => [x - (w * (times - 1)) / 2, y - (h * (times - 1)) / 2, w * times, h * times];

const overlap = (a: Box, b: Box): boolean => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];

/** Whether the close-up of the face at `face` may show any of the `hidden` faces (the face itself included). */
export function closeUpMayShow(face: Box, hidden: readonly { box: Box }[]): boolean {
  const reach = around(face, CLOSE_UP_REACH);
  return hidden.some((h) => overlap(reach, h.box));
}
