package dev.tollgate.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopLevelTest {

    private static List<String> members(String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        TopLevel.scan(b, 0, b.length, (x, ks, ke, vs, ve) ->
                out.add(new String(x, ks, ke - ks, StandardCharsets.UTF_8) + "=" + new String(x, vs, ve - vs, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void findsTopLevelMembersAndSkipsNestedOnesWhateverTheirStringsHold() throws IOException {
        assertThat(members(" {\"a\" : 1, \"s\":\"x}\\\"]{\", \"o\":{\"a\":[1,{\"b\":\"}\"}]}, \"n\":null,\"t\":true } \n"))
                .containsExactly("a=1", "s=\"x}\\\"]{\"", "o={\"a\":[1,{\"b\":\"}\"}]}", "n=null", "t=true");
        assertThat(members("{}")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[1,2]", "<html>", "{\"a\":1", "{\"a\":\"unterminated}", "{\"a\":[1,2}", "{\"a\":1} x",
            "{\"a\" 1}", "{a:1}", "{\"a\":}"})
    void rejectsWhatIsNotOneBalancedObject(String json) {
        assertThatThrownBy(() -> members(json)).isInstanceOf(IOException.class);
    }
}
