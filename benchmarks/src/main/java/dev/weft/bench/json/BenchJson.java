package dev.weft.bench.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The one Jackson configuration behind the benchmarks' JSON: {@code results.json}, the demo's
 * {@code c10k.json}, and the {@code RESULT} and {@code SAMPLE} lines child JVMs print. Records are
 * written by Jackson's record support, their components in declaration order, and read back the
 * same way.
 *
 * <ul>
 *   <li>JSON has no NaN: a {@code double} that is NaN or infinite (a figure not measured) is written
 *       as {@code null}, and {@code null} reads back as NaN.</li>
 *   <li>Reading is strict: a record component missing from the JSON, a {@code null} where an
 *       {@code int}, {@code long} or {@code boolean} belongs, or a field the record does not have is
 *       an error, not a zero. Every failure is an {@link IllegalArgumentException}.</li>
 *   <li>{@link #pretty} keeps the layout the reports have always had: two spaces per level, one
 *       array element per line, {@code "key": value}, {@code []} and {@code {}} when empty, a
 *       newline at the end.</li>
 * </ul>
 *
 * <p>Thread-safe: the mapper and writers are immutable once built.
 */
public final class BenchJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new SimpleModule("weft-bench-nan-as-null")
                    .addSerializer(Double.class, new FiniteOrNull())
                    .addSerializer(double.class, new FiniteOrNull())
                    .addDeserializer(Double.class, new NullAsNaN())
                    .addDeserializer(double.class, new NullAsNaN()))
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private static final DefaultIndenter INDENT = new DefaultIndenter("  ", "\n");
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""))
            .withObjectIndenter(INDENT)
            .withArrayIndenter(INDENT));
    private static final ObjectWriter COMPACT = MAPPER.writer();

    private BenchJson() {
    }

    /** Indented, for files people read; ends with a newline. */
    public static String pretty(Object value) {
        return write(PRETTY, value) + "\n";
    }

    /** One line, no spaces: for protocol lines such as {@code RESULT {...}}. */
    public static String compact(Object value) {
        return write(COMPACT, value);
    }

    /** Reads one JSON value as {@code type}. */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw bad(type.getSimpleName(), e);
        }
    }

    /** Reads one JSON value as a tree, to pick parts of it with {@link #convert} and {@link #listOf}. */
    public static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw bad("JSON", e);
        }
    }

    /** A part of a tree as {@code type}. */
    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JacksonException e) {
            throw bad(type.getSimpleName(), e);
        }
    }

    /** A JSON array as a list of {@code type}. */
    public static <T> List<T> listOf(JsonNode array, Class<T> type) {
        try {
            return MAPPER.readerForListOf(type).readValue(array);
        } catch (IOException e) {
            throw bad("list of " + type.getSimpleName(), e);
        }
    }

    private static String write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static IllegalArgumentException bad(String what, IOException e) {
        return new IllegalArgumentException("bad " + what + ": " + e.getMessage(), e);
    }

    /** NaN and the infinities as {@code null}, every other double as a number. */
    private static final class FiniteOrNull extends StdScalarSerializer<Double> {
        FiniteOrNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (Double.isFinite(value)) {
                gen.writeNumber(value);
            } else {
                gen.writeNull();
            }
        }
    }

    /** A number as a double, {@code null} as NaN; anything else (a string, {@code "NaN"}) is an error. */
    private static final class NullAsNaN extends StdScalarDeserializer<Double> {
        NullAsNaN() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.VALUE_NUMBER_FLOAT) || p.hasToken(JsonToken.VALUE_NUMBER_INT)) {
                return p.getDoubleValue();
            }
            return (Double) ctxt.handleUnexpectedToken(Double.class, p);
        }

        @Override
        public Double getNullValue(DeserializationContext ctxt) {
            return Double.NaN;
        }
    }
}
