"""Document capture for the 高拍仪 role: find the page, straighten it, refuse a blurred shot.

Pure functions on numpy frames, no I/O. :func:`capture_document` returns either a
:class:`DocumentShot` (the upright page, where its corners were, how sharp it is) or a
:class:`~drivers.camera.frames.Rejection` whose ``code`` the UI shows in Chinese
(:data:`GUIDANCE`). A frame that is not an image raises :class:`BadFrame`.

How the page is found: a white sheet on a darker desk is the largest bright region
(Otsu threshold), and failing that the largest closed outline (Canny edges); its
outline is reduced to four corners (``approxPolyDP``, then ``approxPolyN`` for worn
corners). A region that runs into the frame's edge is a page cut off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from drivers.camera.frames import Rejection, sharpness, to_bgr, to_gray

#: Chinese guidance per rejection code, for the UI.
GUIDANCE: dict[str, str] = {
    "no_page": "请把材料平放在拍摄区域内",
    "too_small": "材料太小或太远，请把材料放在拍摄区域中央",
    "cut_off": "材料有部分超出拍摄区域，请把材料完整放入拍摄区域",
    "not_flat": "请把材料展平，四个角都要露出来",
    "blurred": "照片模糊，请保持材料不动",
}

A4_RATIO = math.sqrt(2.0)
#: The frame is shrunk to this width to look for the page (speed; corners scale back).
WORK_WIDTH = 640
#: Sharpness is measured on the straightened page at this width, whatever the camera.
SHARPNESS_WIDTH = 600
#: Below this variance of the Laplacian the page counts as blurred (tuned on scenes:
#: a sharp page scores in the thousands, a Gaussian blur of sigma 2.5 px well under 100).
MIN_SHARPNESS = 150.0
#: The page must cover at least this fraction of the frame.
MIN_AREA = 0.08
#: A page edge closer than this (fraction of the frame) to the frame's edge is cut off.
EDGE_MARGIN = 0.004
#: How much brighter (grey levels) a page is than its surroundings, at least.
MIN_CONTRAST = 40.0


@dataclass(frozen=True)
class DocumentShot:
    """An upright page. ``corners`` are tl, tr, br, bl in the original frame's pixels."""

    image: np.ndarray = field(repr=False)
    corners: np.ndarray = field(repr=False)
    sharpness: float

    @property
    def ok(self) -> bool:
        return True

    def __repr__(self) -> str:  # the page may be someone's ID card: never in a log
        h, w = self.image.shape[:2]
        return f"DocumentShot(image=<{w}x{h} page>, sharpness={self.sharpness:.0f})"


def reject(code: str, reason: str = "") -> Rejection:
    return Rejection(code, GUIDANCE[code], reason)


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left (float32).

    Sorted by angle around their centre, then turned so the first is the one nearest
    the frame's top-left, which holds for any rotation up to 45° either way.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates (y down)
    start = int(np.argmin(pts[:, 0] + pts[:, 1]))
    return np.roll(pts, -start, axis=0).astype(np.float32)


def page_size(corners: np.ndarray, aspect: str = "a4") -> tuple[int, int]:
    """Output (width, height) for a page: its measured size, or A4 proportions."""
    tl, tr, br, bl = corners.astype(np.float64)
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    if aspect == "a4":
        if height >= width:
            height = max(height, width * A4_RATIO)
            width = height / A4_RATIO
        else:
            width = max(width, height * A4_RATIO)
            height = width / A4_RATIO
    elif aspect != "page":
        raise ValueError(f"aspect must be 'a4' or 'page', not {aspect!r}")
    return max(1, int(round(width))), max(1, int(round(height)))


def straighten(frame: np.ndarray, corners: np.ndarray, aspect: str = "a4") -> np.ndarray:
    """The page inside ``corners`` warped to an upright rectangle."""
    width, height = page_size(corners, aspect)
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(order_corners(corners), dst)
    return cv2.warpPerspective(frame, m, (width, height), flags=cv2.INTER_LINEAR)


def _quad(contour: np.ndarray) -> np.ndarray | None:
    """Four corners for an outline, or None when it is not a convex quadrilateral."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02):  # a clean page: its outline is four straight edges
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            return approx.reshape(4, 2).astype(np.float32)
    try:  # a worn or folded corner: the quadrilateral around it (OpenCV >= 4.11)
        approx = cv2.approxPolyN(hull, 4, epsilon_percentage=-1.0, ensure_convex=True)
    except (AttributeError, cv2.error):
        return None
    approx = np.asarray(approx).reshape(-1, 2)
    if len(approx) != 4:
        return None
    # Accept it only if the quadrilateral hugs the outline (a real page, not a blob).
    if cv2.contourArea(approx.astype(np.float32)) > 1.08 * cv2.contourArea(hull):
        return None
    return approx.astype(np.float32)


def _candidates(gray: np.ndarray) -> list[np.ndarray]:
    """Outlines of bright regions and of closed edges, largest first."""
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    edges = cv2.dilate(cv2.Canny(blurred, 50, 150), np.ones((3, 3), np.uint8))
    found = []
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        found.extend(sorted(contours, key=cv2.contourArea, reverse=True)[:3])
    return found


def _touches_edge(contour: np.ndarray, width: int, height: int) -> bool:
    margin = max(2.0, EDGE_MARGIN * max(width, height))
    pts = contour.reshape(-1, 2)
    return bool(
        (pts[:, 0] <= margin).any()
        or (pts[:, 1] <= margin).any()
        or (pts[:, 0] >= width - 1 - margin).any()
        or (pts[:, 1] >= height - 1 - margin).any()
    )


def _stands_out(gray: np.ndarray, contour: np.ndarray) -> bool:
    """A page is clearly brighter than what lies around it; desk grain is not."""
    mask = np.zeros(gray.shape, np.uint8)
    cv2.drawContours(mask, [contour], -1, 255, -1)
    inside = gray[mask > 0]
    outside = gray[mask == 0]
    if inside.size == 0 or outside.size == 0:
        return False
    return float(inside.mean()) - float(outside.mean()) > MIN_CONTRAST


def find_page(frame: np.ndarray) -> np.ndarray | Rejection:
    """The page's corners (tl, tr, br, bl, in frame pixels) or why there is none."""
    gray = to_gray(frame)
    height, width = gray.shape
    scale = min(1.0, WORK_WIDTH / width)
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    frame_area = float(sh * sw)
    cut_off = too_small = bumpy = False
    for contour in _candidates(small):
        area = cv2.contourArea(contour)
        if area < 0.01 * frame_area or area > 0.98 * frame_area:
            continue
        if _touches_edge(contour, sw, sh):
            cut_off = cut_off or (area >= 0.5 * MIN_AREA * frame_area and _stands_out(small, contour))
            continue
        if area < MIN_AREA * frame_area:
            too_small = too_small or _stands_out(small, contour)
            continue
        quad = _quad(contour)
        if quad is None:
            bumpy = True
            continue
        # The quadrilateral must be the region, not a hull around a scatter of marks.
        if area < 0.85 * cv2.contourArea(quad):
            bumpy = True
            continue
        return order_corners(quad / scale)
    if cut_off:
        return reject("cut_off", "the page runs into the frame's edge")
    if bumpy:
        return reject("not_flat", "the largest region is not a four-cornered page")
    if too_small:
        return reject("too_small", "the page covers too little of the frame")
    return reject("no_page", "no page-like region in the frame")


def page_sharpness(image: np.ndarray) -> float:
    """Variance of the Laplacian inside the page, away from its border with the desk."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    my, mx = h // 20, w // 20
    inner = gray[my : h - my, mx : w - mx]
    return sharpness(inner if inner.size else gray, SHARPNESS_WIDTH)


def capture_document(
    frame: np.ndarray, aspect: str = "a4", min_sharpness: float = MIN_SHARPNESS
) -> DocumentShot | Rejection:
    """Find the page, straighten it and check it is sharp enough to read."""
    found = find_page(frame)
    if isinstance(found, Rejection):
        return found
    image = straighten(to_bgr(frame), found, aspect)
    score = page_sharpness(image)
    if score < min_sharpness:
        return reject("blurred", f"sharpness {score:.0f} is below {min_sharpness:.0f}")
    return DocumentShot(image=image, corners=found, sharpness=score)
