// Package telemetry sets up OpenTelemetry tracing and metrics, the Prometheus
// /metrics endpoint, and structured logs that carry the trace ID.
package telemetry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// Options configures telemetry.
type Options struct {
	// ServiceVersion is reported as service.version and in build info.
	ServiceVersion string
	// OTLPEndpoint, when set, exports traces over OTLP/HTTP to it.
	OTLPEndpoint string
	// SpanExporter, when set, receives spans too (tests use an in-memory one).
	SpanExporter sdktrace.SpanExporter
	// LogLevel and LogJSON configure the logger written to LogOutput.
	LogLevel  slog.Level
	LogJSON   bool
	LogOutput io.Writer
}

// Telemetry holds the providers of one running service. Nothing here is
// global, so several services can run in one test process.
type Telemetry struct {
	Tracer     trace.TracerProvider
	Meter      metric.MeterProvider
	Logger     *slog.Logger
	Propagator propagation.TextMapPropagator

	tp       *sdktrace.TracerProvider
	mp       *sdkmetric.MeterProvider
	registry *prometheus.Registry
}

// Setup builds the tracer and meter providers, the Prometheus registry and
// the logger. Traces leave the process only when an exporter is configured.
func Setup(ctx context.Context, o Options) (*Telemetry, error) {
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName("gongkai"), semconv.ServiceVersion(o.ServiceVersion)))
	if err != nil {
		res = resource.Default()
	}
	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	if o.OTLPEndpoint != "" {
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(o.OTLPEndpoint+"/v1/traces"))
		if err != nil {
			return nil, err
		}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(exp))
	}
	if o.SpanExporter != nil {
		tpOpts = append(tpOpts, sdktrace.WithSyncer(o.SpanExporter))
	}
	if o.OTLPEndpoint == "" && o.SpanExporter == nil {
		// Nobody receives the spans: record none (the spans still carry
		// trace and span IDs for the logs and the traceparent header). A
		// recorded span costs a stack walk and a dozen attributes per
		// query, about a tenth of a public page's time.
		tpOpts = append(tpOpts, sdktrace.WithSampler(sdktrace.NeverSample()))
	}
	tp := sdktrace.NewTracerProvider(tpOpts...)

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gongkai_build_info", Help: "Build information of the running Gongkai binary; always 1."}, []string{"version"})
	buildInfo.WithLabelValues(o.ServiceVersion).Set(1)
	registry.MustRegister(buildInfo)
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry), otelprom.WithNamespace("gongkai"))
	if err != nil {
		return nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(res))

	out := o.LogOutput
	if out == nil {
		out = io.Discard
	}
	hopts := &slog.HandlerOptions{Level: o.LogLevel}
	var h slog.Handler = slog.NewTextHandler(out, hopts)
	if o.LogJSON {
		h = slog.NewJSONHandler(out, hopts)
	}
	return &Telemetry{
		Tracer:     tp,
		Meter:      mp,
		Logger:     slog.New(traceHandler{h}),
		Propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		tp:         tp,
		mp:         mp,
		registry:   registry,
	}, nil
}

// MetricsHandler serves the metrics in Prometheus text format.
func (t *Telemetry) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{})
}

// Shutdown flushes and stops the providers.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	return errors.Join(t.tp.Shutdown(ctx), t.mp.Shutdown(ctx))
}

// traceHandler adds trace_id and span_id to every record logged with a
// context that carries a span.
type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.Handler.WithGroup(name)}
}
