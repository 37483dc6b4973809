package oversight

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
)

// Series is one named row of values of a bar chart, one value per category.
type Series struct {
	Name   string
	Values []int
}

// seriesStyle gives each series a fill that stays distinguishable when
// printed in grey: dark solid, light solid, then outlined.
var seriesStyle = []string{
	`fill="#1f4e79"`,
	`fill="#9dc3e6"`,
	`fill="#ffffff" stroke="#1f4e79" stroke-width="1"`,
	`fill="#595959"`,
}

// BarChartSVG renders a grouped bar chart as a standalone SVG document,
// server-side: readable without JavaScript, printable, and accessible — the
// title is the SVG's <title> (and aria-labelledby), a <desc> lists every
// value, each category and series has a text label, each bar carries its
// value as text and a <title> tooltip. categories label the groups (e.g.
// months); every series has one value per category (missing values are 0).
func BarChartSVG(title string, categories []string, series ...Series) string {
	const (
		left, right, top, bottom = 44, 12, 36, 48
		groupWidth               = 56
		plotHeight               = 200
	)
	nCat := max(len(categories), 1)
	width := left + right + groupWidth*nCat
	height := top + plotHeight + bottom
	maxV := 0
	for _, s := range series {
		for _, v := range s.Values {
			maxV = max(maxV, v)
		}
	}
	scaleMax := niceCeil(maxV)
	value := func(s Series, i int) int {
		if i < len(s.Values) {
			return s.Values[i]
		}
		return 0
	}
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="t d" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, "<title id=\"t\">%s</title>\n", esc(title))
	var desc bytes.Buffer
	for si, s := range series {
		if si > 0 {
			desc.WriteString("; ")
		}
		desc.WriteString(s.Name + ": ")
		for i, c := range categories {
			if i > 0 {
				desc.WriteString(", ")
			}
			desc.WriteString(c + " " + strconv.Itoa(value(s, i)))
		}
	}
	fmt.Fprintf(&b, "<desc id=\"d\">%s</desc>\n", esc(desc.String()))
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>\n", left, esc(title))
	// Axis and grid: four steps.
	for k := 0; k <= 4; k++ {
		v := scaleMax * k / 4
		y := top + plotHeight - plotHeight*k/4
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d9d9d9\" stroke-width=\"1\"/>\n", left, y, width-right, y)
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>\n", left-4, y+4, v)
	}
	fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\" stroke-width=\"1\"/>\n", left, top+plotHeight, width-right, top+plotHeight)
	ns := max(len(series), 1)
	barWidth := (groupWidth - 12) / ns
	for i, c := range categories {
		x0 := left + groupWidth*i + 6
		for si, s := range series {
			v := value(s, i)
			h := 0
			if scaleMax > 0 {
				h = v * plotHeight / scaleMax
			}
			x := x0 + si*barWidth
			y := top + plotHeight - h
			fmt.Fprintf(&b, "<g><title>%s %s: %d</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" %s/>", esc(s.Name), esc(c), v, x, y, barWidth-1, h, seriesStyle[si%len(seriesStyle)])
			fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\">%d</text></g>\n", x+barWidth/2, y-2, v)
		}
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x0+(groupWidth-12)/2, top+plotHeight+14, esc(c))
	}
	// Legend.
	lx := left
	for si, s := range series {
		fmt.Fprintf(&b, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" %s/><text x=\"%d\" y=\"%d\">%s</text>\n", lx, height-18, seriesStyle[si%len(seriesStyle)], lx+14, height-9, esc(s.Name))
		lx += 14 + 12*len([]rune(s.Name)) + 16
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// niceCeil rounds v up to a round axis maximum: four grid steps of 1, 2 or
// 5 times a power of ten.
func niceCeil(v int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if 4*m*p >= v {
				return 4 * m * p
			}
		}
	}
}
