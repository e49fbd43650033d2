package io.flinkwatch.job.detection;

import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.ComputationState;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.NFAStateSerializer;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.util.OutputTag;

/**
 * Flink's CEP operator in event time, keyed by a string, which also forgets a key that is back at
 * the start of its pattern.
 *
 * <p>Flink's operator leaves state behind for a key back at the start of the pattern with nothing
 * pending: the shared buffer's per-timestamp event counter, trimmed only when that key's time
 * advances again, which for a key that never comes back is never. Over months of jobs and vertices
 * that come and go, that is state without end. After the operator has processed a key's events up
 * to the watermark, this one clears the key's NFA state and event counter when it holds no partial
 * or completed match and no event waits in its queue; the next event of the key starts from the
 * pattern's initial state, as for a new key.
 *
 * <p>It reads the operator's state under Flink's own names ({@code nfaStateName}, {@code
 * eventQueuesStateName}, {@code sharedBuffer-events-count}) with the same serializers, so
 * savepoints are those of the plain operator.
 */
public abstract class ForgetfulCepOperator<IN, OUT> extends CepOperator<IN, String, OUT> {

    private static final long serialVersionUID = 1L;

    /** The names CepOperator registers its keyed state under. */
    static final String NFA_STATE_NAME = "nfaStateName";

    static final String EVENT_QUEUE_STATE_NAME = "eventQueuesStateName";

    /**
     * SharedBuffer's per-timestamp event counter, which it trims only when the key sees time pass.
     */
    static final String EVENTS_COUNT_STATE_NAME = "sharedBuffer-events-count";

    private final TypeSerializer<IN> inputSerializer;

    private transient ValueState<NFAState> nfaStates;
    private transient MapState<Long, List<IN>> queuedEvents;
    private transient MapState<Long, Integer> eventCounts;

    protected ForgetfulCepOperator(
            TypeSerializer<IN> inputSerializer,
            Pattern<IN, ?> pattern,
            PatternProcessFunction<IN, OUT> function,
            OutputTag<IN> lateEvents) {
        super(
                inputSerializer,
                false,
                NFACompiler.compileFactory(pattern, false),
                null,
                pattern.getAfterMatchSkipStrategy(),
                function,
                lateEvents);
        this.inputSerializer = inputSerializer;
    }

    @Override
    public void open() throws Exception {
        super.open();
        nfaStates =
                getPartitionedState(
                        new ValueStateDescriptor<>(NFA_STATE_NAME, new NFAStateSerializer()));
        queuedEvents =
                getPartitionedState(
                        new MapStateDescriptor<>(
                                EVENT_QUEUE_STATE_NAME,
                                LongSerializer.INSTANCE,
                                new ListSerializer<>(inputSerializer)));
        eventCounts =
                getPartitionedState(
                        new MapStateDescriptor<>(
                                EVENTS_COUNT_STATE_NAME,
                                LongSerializer.INSTANCE,
                                IntSerializer.INSTANCE));
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        super.onEventTime(timer);
        NFAState nfa = nfaStates.value();
        boolean atStart = nfa == null || (nfa.getCompletedMatches().isEmpty() && atStart(nfa));
        if (atStart && queuedEvents.isEmpty()) {
            nfaStates.clear();
            // No event of the key is buffered, so no event id can clash when the counting restarts.
            eventCounts.clear();
        }
    }

    /** Whether every computation state is a start state: no event of a partial match is held. */
    private static boolean atStart(NFAState nfa) {
        for (ComputationState state : nfa.getPartialMatches()) {
            if (state.getPreviousBufferEntry() != null) {
                return false;
            }
        }
        return true;
    }
}
