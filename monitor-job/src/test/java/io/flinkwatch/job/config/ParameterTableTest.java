package io.flinkwatch.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README.md carries the parameter table generated from {@link FlinkwatchParameters}. */
class ParameterTableTest {

    @Test
    void theReadmeTableIsTheGeneratedOne() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int begin = text.indexOf(ParameterTable.BEGIN);
        int end = text.indexOf(ParameterTable.END);
        assertThat(begin).as("README.md has the parameter table markers").isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String inReadme = text.substring(begin + ParameterTable.BEGIN.length(), end).strip();

        assertThat(inReadme)
                .as(
                        "README.md's parameter table is out of date; replace it between the markers with:%n%s",
                        ParameterTable.markdown())
                .isEqualTo(ParameterTable.markdown().strip());
    }

    @Test
    void everyParameterHasADescriptionAndAValidDefault() {
        for (Parameter<?> parameter : FlinkwatchParameters.all()) {
            assertThat(parameter.description()).as(parameter.name()).isNotBlank();
            assertThat(parameter.name()).matches("[a-z][a-z0-9.-]*(<name>)?");
            parameter.defaultValue();
        }
    }
}
